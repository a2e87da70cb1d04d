package org.mailwright;

import java.nio.file.Path;

final class TestSupport {
    private TestSupport() {}

    /** The repository root (set by the pom; the parent of bindings-java otherwise). */
    static Path root() {
        return Path.of(System.getProperty("mailwright.root", "..")).toAbsolutePath().normalize();
    }

    static final byte[] PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mO4IyeHFTEMLQkAid1GAQVcagkAAAAASUVORK5CYII=");
    static final byte[] PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The SendCloud inline-image example message. */
    static Message.Builder example() {
        return Message.builder()
                .from("Support", "support@ifaxin.com").to("ben@ifaxin.com").bcc("audit@ifaxin.com")
                .subject("测试内嵌图片").text("plain 正文").html("<p>图片:<img src=\"cid:image1\"></p>")
                .inline("image1", "image/png", PNG, "logo.png")
                .attachment("报告.pdf", "application/pdf", PDF);
    }

    /**
     * testservers/misbehaving/badsmtp.py with one scenario, on 127.0.0.1;
     * stopped (its standard input closed) by {@link #close()}.
     */
    static final class BadServer implements AutoCloseable {
        final Process process;
        final int port;

        BadServer(String scenario) throws java.io.IOException {
            process = new ProcessBuilder("python3",
                    root().resolve("testservers/misbehaving/badsmtp.py").toString(), scenario)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            if (line == null) {
                process.destroy();
                throw new IllegalStateException("badsmtp.py did not start");
            }
            port = Integer.parseInt(line.trim());
        }

        /** Clear-text options for this server (the caller adds credentials, time-outs...). */
        SmtpOptions.Builder options() {
            return SmtpOptions.builder("127.0.0.1", port).tls(TlsMode.NONE).timeout(java.time.Duration.ofSeconds(3));
        }

        @Override
        public void close() throws java.io.IOException {
            process.getOutputStream().close();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A small message to send to a test server. */
    static Message small() {
        return Message.builder().from("support@ifaxin.com").to("ben@ifaxin.com").cc("joe@ifaxin.com").text("hello").build();
    }
}
