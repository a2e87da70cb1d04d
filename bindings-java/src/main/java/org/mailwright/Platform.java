package org.mailwright;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A platform the jar may carry a native library for: the operating system,
 * the architecture and, on Linux, the C library. Its {@link #folder()} names
 * the jar's folder {@code org/mailwright/native/<folder>/}: {@code
 * linux-x86_64}, {@code linux-aarch64} (glibc), {@code linux-musl-x86_64},
 * {@code linux-musl-aarch64}, and for the others {@code <os>-<arch>} (such as
 * {@code macos-aarch64}, {@code windows-x86_64}).
 *
 * <p>{@link #detect} is a pure function of its inputs (the {@code os.name}
 * and {@code os.arch} properties, the text of {@code /proc/self/maps} and a
 * file-existence test), so that every platform can be tested on any machine;
 * {@link #current()} feeds it this process's values.
 *
 * @param os    {@code linux}, {@code macos}, {@code windows} or the lower-case {@code os.name} without spaces
 * @param arch  {@code x86_64}, {@code aarch64}, {@code x86} or the lower-case {@code os.arch}
 * @param libc  {@code glibc} or {@code musl} on Linux, null elsewhere
 */
record Platform(String os, String arch, String libc) {
    static final String GLIBC = "glibc";
    static final String MUSL = "musl";

    /** The platforms the loader knows by name: those it looks for when it lists what a jar carries. */
    static final List<Platform> KNOWN = List.of(
            new Platform("linux", "x86_64", GLIBC), new Platform("linux", "aarch64", GLIBC),
            new Platform("linux", "x86_64", MUSL), new Platform("linux", "aarch64", MUSL),
            new Platform("macos", "x86_64", null), new Platform("macos", "aarch64", null),
            new Platform("windows", "x86_64", null), new Platform("windows", "aarch64", null));

    /** What a folder name may hold (it becomes part of a resource path). */
    private static final Pattern FOLDER = Pattern.compile("[a-z0-9_]+(-[a-z0-9_]+)+");

    /** The folder of the jar holding this platform's library. */
    String folder() {
        return os + "-" + (MUSL.equals(libc) ? "musl-" : "") + arch;
    }

    /** The library's file name on this platform. */
    String libraryFile() {
        return switch (os) {
            case "windows" -> "mailwright_jni.dll";
            case "macos" -> "libmailwright_jni.dylib";
            default -> "libmailwright_jni.so";
        };
    }

    /** The folder name with what it was made of, for messages. */
    String describe() {
        return folder() + " (os " + os + ", arch " + arch + (libc == null ? "" : ", libc " + libc) + ")";
    }

    /**
     * The platform a folder name stands for ({@code linux-musl-aarch64}: os
     * linux, arch aarch64, libc musl): what {@code mailwright.native.platform}
     * names.
     *
     * @throws IllegalArgumentException when the name is not {@code <os>-[musl-]<arch>} in lower-case letters, digits and {@code _}
     */
    static Platform fromFolder(String folder) {
        if (!FOLDER.matcher(folder).matches()) {
            throw new IllegalArgumentException("a platform is written <os>-<arch> or linux-musl-<arch>"
                    + " (lower-case letters, digits, '_'), such as linux-x86_64, not \"" + folder + "\"");
        }
        int dash = folder.indexOf('-');
        String os = folder.substring(0, dash);
        String rest = folder.substring(dash + 1);
        if (os.equals("linux")) {
            if (rest.startsWith("musl-")) {
                return new Platform(os, rest.substring("musl-".length()), MUSL);
            }
            return new Platform(os, rest, GLIBC);
        }
        return new Platform(os, rest, null);
    }

    /** {@code os.name} to the jar's name of the system. */
    static String os(String osName) {
        String n = osName.toLowerCase(Locale.ROOT).trim();
        if (n.startsWith("linux")) {
            return "linux";
        }
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return "macos";
        }
        if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replaceAll("[^a-z0-9_]", "");
    }

    /** {@code os.arch} to the jar's name of the architecture (the JDKs say amd64 or x86_64, aarch64 or arm64). */
    static String arch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT).trim();
        return switch (a) {
            case "amd64", "x86_64", "x86-64", "x64", "em64t" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            default -> a.replaceAll("[^a-z0-9_]", "");
        };
    }

    /**
     * The C library of a Linux process: musl when its memory maps name musl's
     * loader ({@code ld-musl-<arch>.so.1}, also reached as {@code
     * libc.musl-<arch>.so.1}), glibc when they name glibc's ({@code libc.so.6},
     * {@code ld-linux}); when the maps say neither (not readable), musl if
     * musl's loader is installed at {@code /lib/ld-musl-<arch>.so.1}, else glibc.
     *
     * @param maps   the text of {@code /proc/self/maps} (or its lines naming libraries), null when unreadable
     * @param exists whether a file exists
     */
    static String libc(String arch, String maps, Predicate<String> exists) {
        if (maps != null) {
            if (maps.contains("ld-musl-") || maps.contains("libc.musl-")) {
                return MUSL;
            }
            if (maps.contains("libc.so.6") || maps.contains("ld-linux")) {
                return GLIBC;
            }
        }
        String loaderArch = arch.equals("x86") ? "i386" : arch;
        return exists.test("/lib/ld-musl-" + loaderArch + ".so.1") ? MUSL : GLIBC;
    }

    /**
     * The platform of a process with these properties and, on Linux, these
     * memory maps and files; {@code maps} and {@code exists} are not
     * consulted elsewhere.
     */
    static Platform detect(String osName, String osArch, String maps, Predicate<String> exists) {
        String os = os(osName);
        String arch = arch(osArch);
        return new Platform(os, arch, os.equals("linux") ? libc(arch, maps, exists) : null);
    }

    /** This process's platform. */
    static Platform current() {
        String osName = System.getProperty("os.name", "");
        String os = os(osName);
        return detect(osName, System.getProperty("os.arch", ""), os.equals("linux") ? selfMaps() : null,
                f -> Files.exists(Path.of(f)));
    }

    /** The lines of /proc/self/maps that name a C library or a loader; null when unreadable. */
    private static String selfMaps() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains("libc") || l.contains("ld-"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().collect(Collectors.joining("\n"));
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return null;
        }
    }
}
