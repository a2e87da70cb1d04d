package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** mailwright's bytes parsed back by Jakarta Mail: structure, bodies, parts. */
class JakartaMailTest {
    static MimeMessage parse(byte[] raw) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    @Test
    void inlineImageAndAttachmentStructure() throws Exception {
        try (Message msg = TestSupport.example().build()) {
            MimeMessage m = parse(msg.toBytes());
            assertEquals("测试内嵌图片", m.getSubject());
            assertEquals(new InternetAddress("support@ifaxin.com", "Support"), m.getFrom()[0]);
            assertNull(m.getHeader("Bcc"), "Bcc must never be written");
            assertEquals(java.util.List.of("ben@ifaxin.com", "audit@ifaxin.com"), msg.envelope().recipients());
            assertTrue(m.isMimeType("multipart/mixed"));
            Multipart mixed = (Multipart) m.getContent();
            assertEquals(2, mixed.getCount());
            BodyPart related = mixed.getBodyPart(0);
            assertTrue(related.isMimeType("multipart/related"));
            Multipart rel = (Multipart) related.getContent();
            Multipart alt = (Multipart) rel.getBodyPart(0).getContent();
            assertTrue(rel.getBodyPart(0).isMimeType("multipart/alternative"));
            assertEquals("plain 正文", ((String) alt.getBodyPart(0).getContent()).strip());
            assertTrue(((String) alt.getBodyPart(1).getContent()).contains("cid:image1"));
            BodyPart image = rel.getBodyPart(1);
            assertEquals("<image1>", image.getHeader("Content-ID")[0]);
            assertEquals("inline", image.getDisposition());
            assertArrayEquals(TestSupport.PNG, image.getInputStream().readAllBytes());
            BodyPart pdf = mixed.getBodyPart(1);
            assertEquals("报告.pdf", MimeUtility.decodeText(pdf.getFileName()));
            assertArrayEquals(TestSupport.PDF, pdf.getInputStream().readAllBytes());
            assertEquals("multipart/mixed[multipart/related[multipart/alternative[text/plain, text/html], image/png], application/pdf]",
                    msg.structure());
        }
    }

    @Test
    void xSmtpApiIsTheLastHeader() throws Exception {
        XSmtpApi api = new XSmtpApi().to("a@ifaxin.com", "b@ifaxin.com")
                .sub("%name%", java.util.List.of("A", "B")).openTracking(true);
        try (Message msg = Message.builder().from("support@ifaxin.com").to("a@ifaxin.com").subject("s")
                .text("t").header("X-Campaign", "spring").scCustom("Tag", "v").xSmtpApi(api).build()) {
            MimeMessage m = parse(msg.toBytes());
            String json = new String(java.util.Base64.getMimeDecoder().decode(m.getHeader("X-SMTPAPI")[0]),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("{\"to\":[\"a@ifaxin.com\",\"b@ifaxin.com\"],\"sub\":{\"%name%\":[\"A\",\"B\"]},"
                    + "\"filters\":{\"open_tracking\":{\"settings\":{\"enable\":\"1\"}}}}", json);
            assertEquals("spring", m.getHeader("X-Campaign")[0]);
            assertEquals("v", m.getHeader("SC-Custom-Tag")[0]);
            java.util.List<String> names = new java.util.ArrayList<>();
            m.getAllHeaders().asIterator().forEachRemaining(h -> names.add(h.getName()));
            assertEquals("X-SMTPAPI", names.get(names.size() - 1));
        }
    }
}
