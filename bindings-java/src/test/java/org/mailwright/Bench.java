package org.mailwright;

import jakarta.activation.DataHandler;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.util.Properties;

/**
 * W1/W2/W3 (docs/BENCHMARKS.md): mailwright next to Jakarta Mail's MimeMessage,
 * in one run. Each iteration builds the message from the same inputs and
 * writes its bytes. A warm-up second first, then a timed loop per case.
 *
 *   make -C bindings-java bench        (runs this class; argument: seconds per case, default 3)
 */
public final class Bench {
    static final String SUBJECT = "测试内嵌图片：您的季度报告";
    static final String TEXT;
    static final String HTML = "<p>您好，这是一封<b>测试</b>邮件。Hello from the HTML part.</p>\n".repeat(36);

    static {
        String t = "您好，这是一封测试邮件。Hello, this is the plain text part of the message.\n".repeat(12);
        TEXT = t.substring(0, Math.min(1024, t.length()));
    }

    static byte[] noise(int n, long seed) {
        byte[] out = new byte[n];
        long x = seed;
        for (int i = 0; i < n; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int j = 0; j < 8 && i + j < n; j++) {
                out[i + j] = (byte) (x >>> (8 * j));
            }
        }
        return out;
    }

    interface Build { byte[] run(byte[] png, byte[] pdf, String html) throws Exception; }

    static byte[] mailwright(byte[] png, byte[] pdf, String html) {
        Message.Builder b = Message.builder().from("客服", "support@ifaxin.com").to("Ben <ben@ifaxin.com>").to("joe@ifaxin.com")
                .subject(SUBJECT).text(TEXT).html(html);
        if (png != null) {
            b.inline("image1", "image/png", png);
        }
        if (pdf != null) {
            b.attachment("报告.pdf", "application/pdf", pdf);
        }
        try (Message m = b.build()) {
            return m.toBytes();
        }
    }

    static final jakarta.mail.Session SESSION = jakarta.mail.Session.getInstance(new Properties());

    static byte[] jakarta(byte[] png, byte[] pdf, String html) throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom(new InternetAddress("support@ifaxin.com", "客服", "UTF-8"));
        m.setRecipients(jakarta.mail.Message.RecipientType.TO, InternetAddress.parse("Ben <ben@ifaxin.com>, joe@ifaxin.com"));
        m.setSubject(SUBJECT, "UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(TEXT, "UTF-8", "plain");
        MimeBodyPart htmlPart = new MimeBodyPart();
        htmlPart.setText(html, "UTF-8", "html");
        alternative.addBodyPart(text);
        alternative.addBodyPart(htmlPart);
        MimeMultipart body = alternative;
        if (png != null) {
            MimeBodyPart altPart = new MimeBodyPart();
            altPart.setContent(alternative);
            body = new MimeMultipart("related");
            body.addBodyPart(altPart);
            MimeBodyPart image = new MimeBodyPart();
            image.setDataHandler(new DataHandler(new ByteArrayDataSource(png, "image/png")));
            image.setContentID("<image1>");
            image.setDisposition(Part.INLINE);
            body.addBodyPart(image);
        }
        if (pdf != null) {
            MimeBodyPart inner = new MimeBodyPart();
            inner.setContent(body);
            MimeMultipart mixed = new MimeMultipart("mixed");
            mixed.addBodyPart(inner);
            MimeBodyPart file = new MimeBodyPart();
            file.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
            file.setFileName(MimeUtility.encodeText("报告.pdf", "UTF-8", null));
            mixed.addBodyPart(file);
            body = mixed;
        }
        m.setContent(body);
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream(png == null && pdf == null ? 8192 : 1 << 16);
        m.writeTo(out);
        return out.toByteArray();
    }

    record Result(double perSecond, double mbPerSecond, int size) {}

    static Result measure(Build b, byte[] png, byte[] pdf, String html, double seconds) throws Exception {
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        int size = 0;
        while (System.nanoTime() < warmEnd) {
            size = b.run(png, pdf, html).length;
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long n = 0;
        long bytes = 0;
        long now;
        do {
            bytes += b.run(png, pdf, html).length;
            n++;
            now = System.nanoTime();
        } while (now < end);
        double elapsed = (now - start) / 1e9;
        return new Result(n / elapsed, bytes / elapsed / 1e6, size);
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        System.out.printf("Java %s, %s s per case after 1 s of warm-up%n", System.getProperty("java.version"), seconds);
        System.out.println("| workload | mailwright | Jakarta Mail MimeMessage | speedup | size (mailwright / Jakarta) |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String w : new String[] {"W1", "W2", "W3"}) {
            byte[] png = w.equals("W2") ? noise(100 * 1024, 7) : null;
            byte[] pdf = w.equals("W3") ? noise(10 * 1024 * 1024, 9) : null;
            String html = w.equals("W2") ? HTML + "<img src=\"cid:image1\">" : HTML;
            Result a = measure(Bench::mailwright, png, pdf, html, seconds);
            Result j = measure(Bench::jakarta, png, pdf, html, seconds);
            if (w.equals("W3")) {
                System.out.printf("| %s | %,.0f MB/s of output | %,.1f MB/s | **%.1fx** | %,d / %,d bytes |%n", w,
                        a.mbPerSecond(), j.mbPerSecond(), a.mbPerSecond() / j.mbPerSecond(), a.size(), j.size());
            } else {
                System.out.printf("| %s | %,.0f msg/s | %,.0f msg/s | **%.1fx** | %,d / %,d bytes |%n", w,
                        a.perSecond(), j.perSecond(), a.perSecond() / j.perSecond(), a.size(), j.size());
            }
        }
    }
}
