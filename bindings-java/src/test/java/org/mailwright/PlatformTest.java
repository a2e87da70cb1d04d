package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Platform detection as a pure function: the os.name / os.arch values the
 * JDKs report, and /proc/self/maps as glibc and musl processes show it.
 */
class PlatformTest {
    /** A JVM's maps on Debian/RHEL x86_64 (glibc): the lines naming libraries. */
    static final String GLIBC_X86_64 = """
            7f0e5c400000-7f0e5c428000 r--p 00000000 08:01 1180 /usr/lib/x86_64-linux-gnu/libc.so.6
            7f0e5c600000-7f0e5c601000 r--p 00000000 08:01 1190 /usr/lib/x86_64-linux-gnu/libz.so.1.2.13
            7f0e5c7c2000-7f0e5c7c3000 r--p 00000000 08:01 1177 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            """;
    static final String GLIBC_AARCH64 = """
            ffff8c2a0000-ffff8c428000 r-xp 00000000 103:02 2201 /usr/lib/aarch64-linux-gnu/libc.so.6
            ffff8c4f0000-ffff8c51b000 r-xp 00000000 103:02 2199 /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1
            """;
    /** A JVM on Alpine: musl's libc is its loader. */
    static final String MUSL_X86_64 = """
            7f5a1c000000-7f5a1c014000 r--p 00000000 00:2f 31 /lib/ld-musl-x86_64.so.1
            7f5a1c1e0000-7f5a1c1e2000 r--p 00000000 00:2f 52 /usr/lib/jvm/java-17-openjdk/lib/libjli.so
            """;
    static final String MUSL_AARCH64 = """
            ffffa1b00000-ffffa1b9a000 r-xp 00000000 00:2f 31 /lib/libc.musl-aarch64.so.1
            """;

    static final Predicate<String> NOTHING = f -> false;
    static final Predicate<String> NOT_ASKED = f -> {
        throw new AssertionError("the file system is consulted only for Linux without readable maps: " + f);
    };

    static Predicate<String> only(String file) {
        return Set.of(file)::contains;
    }

    @Test
    void linuxGlibcX8664() {
        Platform p = Platform.detect("Linux", "amd64", GLIBC_X86_64, NOT_ASKED);
        assertEquals(new Platform("linux", "x86_64", "glibc"), p);
        assertEquals("linux-x86_64", p.folder());
        assertEquals("libmailwright_jni.so", p.libraryFile());
        assertEquals("native/linux-x86_64/libmailwright_jni.so", NativeLoader.resource(p));
    }

    @Test
    void linuxGlibcAarch64() {
        Platform p = Platform.detect("Linux", "aarch64", GLIBC_AARCH64, NOT_ASKED);
        assertEquals("linux-aarch64", p.folder());
        assertEquals("glibc", p.libc());
    }

    @Test
    void linuxMuslX8664() {
        Platform p = Platform.detect("Linux", "amd64", MUSL_X86_64, NOT_ASKED);
        assertEquals(new Platform("linux", "x86_64", "musl"), p);
        assertEquals("linux-musl-x86_64", p.folder());
        assertEquals("libmailwright_jni.so", p.libraryFile());
    }

    @Test
    void linuxMuslAarch64() {
        assertEquals("linux-musl-aarch64", Platform.detect("Linux", "aarch64", MUSL_AARCH64, NOT_ASKED).folder());
        assertEquals("linux-musl-aarch64", Platform.detect("Linux", "arm64", "/lib/ld-musl-aarch64.so.1", NOT_ASKED).folder());
    }

    /** A glibc machine with Debian's musl package installed is still glibc: the maps decide first. */
    @Test
    void glibcWithMuslInstalled() {
        assertEquals("linux-x86_64",
                Platform.detect("Linux", "amd64", GLIBC_X86_64, only("/lib/ld-musl-x86_64.so.1")).folder());
    }

    /** Without readable maps, musl's loader on disk decides. */
    @Test
    void unreadableMaps() {
        assertEquals("linux-musl-x86_64", Platform.detect("Linux", "amd64", null, only("/lib/ld-musl-x86_64.so.1")).folder());
        assertEquals("linux-musl-aarch64",
                Platform.detect("Linux", "aarch64", null, only("/lib/ld-musl-aarch64.so.1")).folder());
        // The loader of the other architecture does not count.
        assertEquals("linux-aarch64", Platform.detect("Linux", "aarch64", null, only("/lib/ld-musl-x86_64.so.1")).folder());
        assertEquals("linux-x86_64", Platform.detect("Linux", "amd64", null, NOTHING).folder());
        // Maps naming neither C library (a static process) fall back to the file system too.
        assertEquals("linux-musl-x86_64",
                Platform.detect("Linux", "x86_64", "/usr/lib/jvm/lib/libjli.so", only("/lib/ld-musl-x86_64.so.1")).folder());
    }

    @Test
    void macos() {
        Platform arm = Platform.detect("Mac OS X", "aarch64", null, NOT_ASKED);
        assertEquals(new Platform("macos", "aarch64", null), arm);
        assertEquals("macos-aarch64", arm.folder());
        assertEquals("libmailwright_jni.dylib", arm.libraryFile());
        assertEquals("macos-aarch64", Platform.detect("Mac OS X", "arm64", null, NOT_ASKED).folder());
        assertEquals("macos-x86_64", Platform.detect("Mac OS X", "x86_64", null, NOT_ASKED).folder());
        assertEquals("macos-x86_64", Platform.detect("Darwin", "amd64", null, NOT_ASKED).folder());
    }

    @Test
    void windows() {
        Platform p = Platform.detect("Windows 11", "amd64", null, NOT_ASKED);
        assertEquals("windows-x86_64", p.folder());
        assertNull(p.libc());
        assertEquals("mailwright_jni.dll", p.libraryFile());
        assertEquals("windows-x86_64", Platform.detect("Windows Server 2022", "amd64", null, NOT_ASKED).folder());
        assertEquals("windows-aarch64", Platform.detect("Windows 11", "aarch64", null, NOT_ASKED).folder());
        assertEquals("windows-x86", Platform.detect("Windows 10", "x86", null, NOT_ASKED).folder());
    }

    @Test
    void otherSystemsAndArchitectures() {
        assertEquals("freebsd-x86_64", Platform.detect("FreeBSD", "amd64", null, NOT_ASKED).folder());
        assertEquals("linux-riscv64", Platform.detect("Linux", "riscv64", null, NOTHING).folder());
        assertEquals("linux-ppc64le", Platform.detect("Linux", "ppc64le", "/lib/powerpc64le-linux-gnu/libc.so.6", NOT_ASKED).folder());
        assertEquals("linux-x86", Platform.detect("Linux", "i386", null, NOTHING).folder());
        assertEquals("linux-musl-x86", Platform.detect("Linux", "i686", null, only("/lib/ld-musl-i386.so.1")).folder());
    }

    @Test
    void folderNames() {
        for (Platform p : Platform.KNOWN) {
            assertEquals(p, Platform.fromFolder(p.folder()));
        }
        assertEquals(new Platform("linux", "riscv64", "glibc"), Platform.fromFolder("linux-riscv64"));
        for (String bad : new String[] {"linux", "../../etc", "linux-x86_64/../x", "Linux-X86_64", "linux-", "-x86_64", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.fromFolder(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void describe() {
        assertEquals("linux-musl-aarch64 (os linux, arch aarch64, libc musl)",
                new Platform("linux", "aarch64", "musl").describe());
        assertEquals("macos-x86_64 (os macos, arch x86_64)", new Platform("macos", "x86_64", null).describe());
    }
}
