package org.mailwright;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds and loads {@code mailwright_jni}: the library named by {@value
 * #PATH}, else the jar's library for this platform ({@link Platform}, or the
 * folder named by {@value #PLATFORM}) extracted into a temporary folder (or
 * into {@value #DIR}), else, without a platform override, {@code
 * mailwright_jni} on {@code java.library.path}. When none fits it throws an
 * {@link UnsatisfiedLinkError} naming the platform, what the jar carries and
 * the overrides.
 */
final class NativeLoader {
    /** System property: a library file to load as it is (no extraction, no platform detection). */
    static final String PATH = "mailwright.native.path";
    /** System property: the folder to extract the jar's library into, kept (instead of a temporary folder). */
    static final String DIR = "mailwright.native.dir";
    /** System property: the jar's platform folder to use instead of the detected one ({@code linux-musl-x86_64}). */
    static final String PLATFORM = "mailwright.native.platform";

    private static final String LIBRARY = "mailwright_jni";

    /**
     * The library loaded and how.
     *
     * @param platform the jar's folder it came from (null when loaded by {@value #PATH} or from java.library.path)
     * @param file     the file loaded (null when found on java.library.path)
     * @param how      {@code path} ({@value #PATH}), {@code jar} (extracted) or {@code java.library.path}
     */
    record Loaded(String platform, Path file, String how) {}

    private NativeLoader() {}

    static Loaded load() {
        String path = property(PATH);
        if (path != null) {
            return loadPath(path);
        }
        Platform detected = Platform.current();
        String override = property(PLATFORM);
        Platform platform;
        if (override != null) {
            try {
                platform = Platform.fromFolder(override);
            } catch (IllegalArgumentException e) {
                throw error("-D" + PLATFORM + "=" + override + ": " + e.getMessage(), detected);
            }
        } else {
            platform = detected;
        }
        String resource = resource(platform);
        byte[] library;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            library = in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw error("cannot read " + resource + " from the jar: " + e, detected, e);
        }
        if (library == null) {
            if (override != null) {
                throw error("no native library for " + platform.folder() + " (named by -D" + PLATFORM
                        + ") in this jar", detected);
            }
            try {
                System.loadLibrary(LIBRARY);
                return new Loaded(null, null, "java.library.path");
            } catch (UnsatisfiedLinkError e) {
                throw error("no native library for " + platform.folder() + " in this jar, and none on"
                        + " java.library.path (" + e.getMessage() + ")", detected);
            }
        }
        Path file;
        try {
            String dir = property(DIR);
            file = dir != null ? extractInto(dir, platform, library) : extractTemporary(platform, library);
        } catch (IOException | InvalidPathException e) {
            throw error("cannot extract the native library of " + platform.folder() + ": " + e, detected, e);
        }
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            throw error("the native library for " + platform.folder()
                    + (override != null ? " (named by -D" + PLATFORM + ")" : "") + ", extracted to " + file
                    + ", does not load here" + (platform.equals(detected) ? "" : " (it is built for "
                    + platform.folder() + ", this process is " + detected.folder() + ")") + ": " + e.getMessage(),
                    detected, e);
        }
        return new Loaded(platform.folder(), file, "jar");
    }

    /** The resource of a platform's library, relative to this class. */
    static String resource(Platform platform) {
        return "native/" + platform.folder() + "/" + platform.libraryFile();
    }

    /** The platform folders this jar carries a library for, among those the loader knows. */
    static List<String> carried() {
        List<String> found = new ArrayList<>();
        for (Platform p : Platform.KNOWN) {
            if (NativeLoader.class.getResource(resource(p)) != null) {
                found.add(p.folder());
            }
        }
        return found;
    }

    private static Loaded loadPath(String path) {
        Path file;
        try {
            file = Path.of(path).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw error("-D" + PATH + "=" + path + " is not a path: " + e.getMessage(), null);
        }
        if (!Files.isRegularFile(file)) {
            throw error("-D" + PATH + "=" + path + ": no such file", null);
        }
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            throw error("-D" + PATH + "=" + path + " does not load: " + e.getMessage(), null, e);
        }
        return new Loaded(null, file, "path");
    }

    /**
     * Extracts into a folder of the user's, kept: the file is named by its
     * content ({@code libmailwright_jni-<sha256 prefix>.so}) and written
     * under a unique temporary name, then renamed into place, so that JVMs
     * extracting at once never see a partial file and share one copy.
     */
    private static Path extractInto(String folder, Platform platform, byte[] library) throws IOException {
        Path dir = Path.of(folder).toAbsolutePath();
        Files.createDirectories(dir);
        String name = platform.libraryFile();
        int dot = name.lastIndexOf('.');
        Path file = dir.resolve(name.substring(0, dot) + "-" + sha256Prefix(library) + name.substring(dot));
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), library)) {
            return file;
        }
        Path partial = Files.createTempFile(dir, "." + name + "-", ".partial", readableByAll(dir));
        try {
            Files.write(partial, library);
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        return file;
    }

    /** Extracts into a new temporary folder of this process, deleted (with the file) when the JVM exits. */
    private static Path extractTemporary(Platform platform, byte[] library) throws IOException {
        Path dir = Files.createTempDirectory("mailwright-jni-");
        Path file = dir.resolve(platform.libraryFile());
        // Deleted at exit in reverse order of registration: the file, then its folder.
        dir.toFile().deleteOnExit();
        file.toFile().deleteOnExit();
        Files.write(file, library);
        return file;
    }

    /** rw-r--r-- where permissions are POSIX: another user's JVM may load the shared copy. */
    private static FileAttribute<?>[] readableByAll(Path dir) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"))};
    }

    private static String sha256Prefix(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static UnsatisfiedLinkError error(String what, Platform detected) {
        return error(what, detected, null);
    }

    /**
     * The one error: what failed, the platform detected, what the jar
     * carries and the overrides.
     */
    private static UnsatisfiedLinkError error(String what, Platform detected, Throwable cause) {
        Platform d = detected != null ? detected : Platform.current();
        List<String> carried = carried();
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("mailwright: " + what
                + ". Detected platform: " + d.describe() + " from os.name=" + System.getProperty("os.name")
                + ", os.arch=" + System.getProperty("os.arch") + "."
                + " This jar carries: " + (carried.isEmpty() ? "no native library" : String.join(", ", carried)) + "."
                + " Overrides (system properties): -D" + PATH + "=<library file> loads that file;"
                + " -D" + PLATFORM + "=<one of the platforms above> uses that folder of the jar;"
                + " -D" + DIR + "=<folder> extracts there instead of a temporary folder (one mounted noexec fails).");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
