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
}
