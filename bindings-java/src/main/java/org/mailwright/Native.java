package org.mailwright;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Every native method of the binding, in one package-private class. The natives
 * convert types only; on failure they return a sentinel (0, null, -1) and record
 * the error, which {@link #error()} turns into the matching exception.
 */
final class Native {
    static final String VERSION;

    static {
        VERSION = readVersion();
        load();
        String nativeVersion = version();
        if (!VERSION.equals(nativeVersion)) {
            throw new UnsatisfiedLinkError("mailwright: the jar is version " + VERSION
                    + " but the native library is version " + nativeVersion);
        }
    }

    private Native() {}

    private static String readVersion() {
        Properties p = new Properties();
        try (InputStream in = Native.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    /** Loads the library carried in the jar; falls back to java.library.path. */
    private static void load() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        String platform = (os.contains("linux") ? "linux" : os.replace(' ', '_')) + "-"
                + (arch.equals("amd64") ? "x86_64" : arch);
        String resource = "native/" + platform + "/" + System.mapLibraryName("mailwright_jni");
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in != null) {
                Path dir = Files.createTempDirectory("mailwright-jni");
                Path file = dir.resolve(System.mapLibraryName("mailwright_jni"));
                // Deleted at exit in reverse order of registration: the file, then its folder.
                dir.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                file.toFile().deleteOnExit();
                System.load(file.toAbsolutePath().toString());
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.loadLibrary("mailwright_jni");
    }

    private static final class UncheckedIOException extends RuntimeException {
        UncheckedIOException(IOException cause) {
            super("mailwright: cannot extract the native library: " + cause.getMessage(), cause);
        }
    }

    /** The exception for the error the last failing native call recorded on this thread. */
    static MailwrightException error() {
        String[] f = lastError().split("\0", 5);
        if (f.length < 5) {
            return new MailwrightException(212, "InvalidState", 0, null, "unknown error");
        }
        int code = Integer.parseInt(f[0]);
        int smtp = Integer.parseInt(f[2]);
        String enhanced = f[3].isEmpty() ? null : f[3];
        return MailwrightException.of(code, f[1], smtp, enhanced, f[4]);
    }

    static native String version();
    static native String lastError();

    static native long messageBuild(String[] ops, String[] args, byte[][] data);
    static native byte[] messageToBytes(long message);
    static native long messageSize(long message);
    static native String messageInfo(long message);
    static native void messageFree(long message);

    static native String credentialsUsername(String user, String label);
    static native byte[] authPayload(int kind, String user, String key, String label, boolean oauth2,
            String challenge, boolean usernameSent);
    static native String replyParse(byte[] data);

    static native long clientConnect(String host, int port, int tls, String user, String key, String label,
            boolean oauth2, String caFile, int timeoutMs, String helloName, boolean pipelining);
    static native String clientSend(long client, long message);
    static native boolean clientQuit(long client);
    static native void clientFree(long client);

    static native long sessionNew(String helloName, int tls, String user, String key, String label, boolean oauth2,
            boolean pipelining);
    static native boolean sessionReceive(long session, byte[] data);
    static native byte[] sessionTakeOutput(long session);
    static native long sessionSend(long session, long message);
    static native boolean sessionControl(long session, int op);
    static native String sessionPollEvent(long session);
    static native void sessionFree(long session);
}
