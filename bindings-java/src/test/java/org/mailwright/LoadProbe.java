package org.mailwright;

/**
 * Loads the native library in a JVM of its own (NativeLoaderTest starts it
 * with the overrides as system properties) and prints what was loaded, one
 * {@code key=value} per line, or {@code error=<message>} and exits with 3.
 */
public final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) {
        NativeLoader.Loaded loaded;
        try {
            loaded = Native.LOADED;
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error=" + e.getMessage().replace('\n', ' '));
            System.exit(3);
            return;
        }
        System.out.println("platform=" + loaded.platform());
        System.out.println("file=" + loaded.file());
        System.out.println("how=" + loaded.how());
        System.out.println("version=" + Native.version());
    }
}
