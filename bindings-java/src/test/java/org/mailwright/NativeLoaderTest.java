package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader: the platform it picks here, and each override in a JVM of its
 * own ({@link LoadProbe}: a class is loaded once per JVM). The jar of {@code
 * make test} carries only the host's library, so nothing here needs another
 * one; with the jar of {@code make dist} (all four Linux libraries) the same
 * tests run and the musl override takes its other branch.
 */
class NativeLoaderTest {
    @TempDir
    Path tmp;
    /** The children's java.io.tmpdir: empty unless they extract there. */
    Path childTmp;

    @BeforeEach
    void childTmp() throws IOException {
        childTmp = Files.createDirectory(tmp.resolve("java.io.tmpdir"));
    }

    /** This JVM's platform, as detected. */
    static final Platform HOST = Platform.current();

    /** The library the jar carries for this platform. */
    static byte[] hostLibrary() throws IOException {
        try (InputStream in = NativeLoader.class.getResourceAsStream(NativeLoader.resource(HOST))) {
            assertTrue(in != null, "the jar carries no library for " + HOST.describe());
            return in.readAllBytes();
        }
    }

    /** What a {@link LoadProbe} printed, and its exit status. */
    record Probe(int exit, Map<String, String> out, String text) {
        String get(String key) {
            assertTrue(out.containsKey(key), "no " + key + " in: " + text);
            return out.get(key);
        }

        Probe loaded() {
            assertEquals(0, exit, text);
            assertEquals(Native.VERSION, get("version"));
            return this;
        }

        String error() {
            assertEquals(3, exit, text);
            return get("error");
        }
    }

    /** Starts a JVM on this test's class path running {@link LoadProbe} with these system properties. */
    Process start(Map<String, String> properties) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Djava.io.tmpdir=" + childTmp);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add(LoadProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }

    static Probe finish(Process p) throws IOException, InterruptedException {
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new Probe(exit, out, text);
    }

    Probe probe(Map<String, String> properties) throws IOException, InterruptedException {
        return finish(start(properties));
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** The overrides and the platforms carried, named in every error. */
    static void assertExplains(String error) {
        assertTrue(error.startsWith("mailwright: "), error);
        assertTrue(error.contains("Detected platform: " + HOST.describe()), error);
        List<String> carried = NativeLoader.carried();
        assertTrue(carried.contains(HOST.folder()), "carried " + carried);
        assertTrue(error.contains("This jar carries: " + String.join(", ", carried) + "."), error);
        for (String property : List.of(NativeLoader.PATH, NativeLoader.PLATFORM, NativeLoader.DIR)) {
            assertTrue(error.contains("-D" + property + "="), property + " in: " + error);
        }
    }

    @Test
    void hostPicksLinuxX8664() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")
                && Files.readString(Path.of("/proc/self/maps")).contains("/libc.so.6"), "an x86_64 glibc host");
        assertEquals("linux-x86_64", HOST.folder());
        assertEquals("linux-x86_64", Native.LOADED.platform());
        assertEquals("jar", Native.LOADED.how());
        assertArrayEquals(hostLibrary(), Files.readAllBytes(Native.LOADED.file()));
    }

    @Test
    void extractsIntoATemporaryFolderDeletedAtExit() throws Exception {
        Probe p = probe(Map.of()).loaded();
        assertEquals(HOST.folder(), p.get("platform"));
        assertEquals("jar", p.get("how"));
        Path file = Path.of(p.get("file"));
        assertEquals(childTmp, file.getParent().getParent(), "extracted into java.io.tmpdir");
        assertEquals(List.of(), list(childTmp), "the file and its folder are deleted at exit");
    }

    @Test
    void pathLoadsThatFileWithoutExtracting() throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("my libs")).resolve("libcopy.so");
        Files.write(copy, hostLibrary());
        Probe p = probe(Map.of(NativeLoader.PATH, copy.toString())).loaded();
        assertEquals("path", p.get("how"));
        assertEquals(copy.toString(), p.get("file"));
        assertEquals("null", p.get("platform"));
        assertEquals(List.of(), list(childTmp), "nothing extracted");
    }

    @Test
    void pathToAMissingFileFails() throws Exception {
        Path missing = tmp.resolve("nowhere/libmailwright_jni.so");
        String error = probe(Map.of(NativeLoader.PATH, missing.toString())).error();
        assertTrue(error.startsWith("mailwright: -D" + NativeLoader.PATH + "=" + missing + ": no such file."), error);
        assertExplains(error);
    }

    @Test
    void pathToAFileThatIsNotALibraryFails() throws Exception {
        Path junk = Files.writeString(tmp.resolve("libjunk.so"), "not an ELF file");
        String error = probe(Map.of(NativeLoader.PATH, junk.toString())).error();
        assertTrue(error.startsWith("mailwright: -D" + NativeLoader.PATH + "=" + junk + " does not load: "), error);
        assertExplains(error);
    }

    /**
     * Three JVMs extracting into one folder at once share one file named by
     * its content; a later JVM reuses it as it is, and a damaged copy is
     * replaced.
     */
    @Test
    void dirExtractsIntoThatFolderOnce() throws Exception {
        Path dir = tmp.resolve("cache/jni");
        Map<String, String> props = Map.of(NativeLoader.DIR, dir.toString());
        List<Process> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(start(props));
        }
        List<String> files = new ArrayList<>();
        for (Process r : running) {
            Probe p = finish(r).loaded();
            assertEquals("jar", p.get("how"));
            assertEquals(HOST.folder(), p.get("platform"));
            files.add(p.get("file"));
        }
        Path file = Path.of(files.get(0));
        assertEquals(List.of(file, file, file), files.stream().map(Path::of).toList());
        assertEquals(List.of(file), list(dir), "one file, no partial copy left");
        assertTrue(file.getFileName().toString().matches("libmailwright_jni-[0-9a-f]{16}\\.so"), file.toString());
        assertArrayEquals(hostLibrary(), Files.readAllBytes(file));
        assertEquals(PosixFilePermissions.fromString("rw-r--r--"), Files.getPosixFilePermissions(file),
                "readable by the JVMs of other users");
        assertEquals(List.of(), list(childTmp), "nothing extracted into java.io.tmpdir");

        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        assertEquals(file.toString(), probe(props).loaded().get("file"));
        assertEquals(key, Files.readAttributes(file, BasicFileAttributes.class).fileKey(), "reused, not rewritten");

        Files.writeString(file, "damaged");
        assertEquals(file.toString(), probe(props).loaded().get("file"));
        assertNotEquals(key, Files.readAttributes(file, BasicFileAttributes.class).fileKey(), "replaced");
        assertArrayEquals(hostLibrary(), Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir));
    }

    @Test
    void platformTheJarLacksFails() throws Exception {
        String error = probe(Map.of(NativeLoader.PLATFORM, "linux-riscv64")).error();
        assertTrue(error.startsWith("mailwright: no native library for linux-riscv64 (named by -D"
                + NativeLoader.PLATFORM + ") in this jar."), error);
        assertExplains(error);
        assertEquals(List.of(), list(childTmp));
    }

    /**
     * musl's library on a glibc host: the jar of make test does not carry it
     * (the error names it); the dist jar does, and it does not load here (the
     * error names it and the loader's reason).
     */
    @Test
    void muslPlatformOnGlibcFails() throws Exception {
        assumeTrue("glibc".equals(HOST.libc()), "a glibc host");
        Platform musl = new Platform("linux", HOST.arch(), "musl");
        String error = probe(Map.of(NativeLoader.PLATFORM, musl.folder())).error();
        if (NativeLoader.carried().contains(musl.folder())) {
            assertTrue(error.startsWith("mailwright: the native library for " + musl.folder() + " (named by -D"
                    + NativeLoader.PLATFORM + "), extracted to " + childTmp), error);
            assertTrue(error.contains(", does not load here (it is built for " + musl.folder() + ", this process is "
                    + HOST.folder() + "): "), error);
            assertTrue(error.contains("libc.musl-") || error.contains("libc.so"), error);
        } else {
            assertTrue(error.startsWith("mailwright: no native library for " + musl.folder() + " (named by -D"
                    + NativeLoader.PLATFORM + ") in this jar."), error);
            assertFalse(error.contains("This jar carries: " + musl.folder()), error);
        }
        assertExplains(error);
    }

    @Test
    void badPlatformNameFails() throws Exception {
        String error = probe(Map.of(NativeLoader.PLATFORM, "../native/linux-x86_64")).error();
        assertTrue(error.startsWith("mailwright: -D" + NativeLoader.PLATFORM + "=../native/linux-x86_64: a platform is"
                + " written <os>-<arch> or linux-musl-<arch>"), error);
        assertExplains(error);
    }
}
