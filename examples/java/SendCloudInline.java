/*
 * The SendCloud reference's inline-image example, written with mailwright's Java binding.
 * The reference builds a multipart/related with an HTML part and an image with a Content-ID,
 * logs in with api_user + '#' + label_id after STARTTLS and sends. Here:
 *
 *   java -cp mailwright-0.1.0.jar SendCloudInline.java [OUT.eml]
 *        [--dkim-key KEY.pem --selector S]
 *        [--send HOST:PORT --user U --key K [--label L] [--ca CA.pem | --pin CERT.pem | --pin-sha256 FP]]
 *
 * --ca trusts an extra root CA; --pin trusts exactly the server certificate in CERT.pem (a
 * self-signed one works) and --pin-sha256 exactly the certificate with that SHA-256 fingerprint.
 * --dkim-key signs the message with DKIM for the sender's domain (RSA or Ed25519 PEM, selector S).
 */
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.mailwright.Credentials;
import org.mailwright.DkimKey;
import org.mailwright.DkimSigner;
import org.mailwright.MailwrightException;
import org.mailwright.Message;
import org.mailwright.RateLimitedException;
import org.mailwright.SendResult;
import org.mailwright.SmtpClient;
import org.mailwright.SmtpOptions;
import org.mailwright.XSmtpApi;

public class SendCloudInline {
    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = new HashMap<>();
        String output = "sendcloud-inline.eml";
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--")) {
                opt.put(argv[i].substring(2), argv[++i]);
            } else {
                output = argv[i];
            }
        }
        Path here = Path.of(System.getProperty("example.dir", "examples/java"));
        byte[] png = Files.readAllBytes(Path.of(opt.getOrDefault("image", here.resolve("../assets/test.png").toString())));

        Message.Builder builder = Message.builder()
                .from("postmaster@testdomain.sendcloud.org")
                .to("test123@qq.com")
                .subject("java test inline image")
                .html("test image content <img src=\"cid:image1\" alt=\"xxxxx\">")
                .inline("image1", "image/png", png)
                .listUnsubscribe("mailto:unsubscribe@testdomain.sendcloud.org?subject=unsubscribe")
                .xSmtpApi(new XSmtpApi().to("test123@qq.com").openTracking(true));
        if (opt.containsKey("dkim-key")) {
            // A signer is reusable: make it once and pass it to every message. Open tracking
            // rewrites the body at the relay and would break the signature: turn it off.
            DkimSigner signer = DkimSigner.of("testdomain.sendcloud.org", opt.getOrDefault("selector", "mw"),
                    DkimKey.fromPem(Files.readAllBytes(Path.of(opt.get("dkim-key")))));
            builder.dkim(signer).xSmtpApi(new XSmtpApi().to("test123@qq.com").openTracking(false));
        }
        try (Message msg = builder.build()) {
            Files.write(Path.of(output), msg.toBytes());
            System.out.println("wrote     " + output);
            System.out.println("structure " + msg.structure());
            System.out.println("size      " + msg.size() + " bytes" + (msg.isSigned() ? ", DKIM-signed" : ""));
            System.out.println("envelope  " + msg.envelope().sender() + " -> " + String.join(", ", msg.envelope().recipients()));

            if (opt.containsKey("send")) {
                String hostPort = opt.get("send");
                int colon = hostPort.lastIndexOf(':');
                Credentials creds = Credentials.of(opt.getOrDefault("user", ""), opt.getOrDefault("key", ""));
                if (opt.containsKey("label")) {
                    creds = creds.withLabel(opt.get("label"));
                }
                SmtpOptions.Builder options = SmtpOptions.builder(hostPort.substring(0, colon),
                        Integer.parseInt(hostPort.substring(colon + 1))).credentials(creds).timeout(Duration.ofSeconds(30));
                if (opt.containsKey("ca")) {
                    options.caFile(Path.of(opt.get("ca")));
                }
                if (opt.containsKey("pin")) {
                    options.pinCertificatePem(Files.readAllBytes(Path.of(opt.get("pin"))));
                }
                if (opt.containsKey("pin-sha256")) {
                    options.pinSha256(opt.get("pin-sha256"));
                }
                try (SmtpClient client = SmtpClient.connect(options.build())) {
                    SendResult result = client.send(msg);
                    System.out.println("queue id  " + result.queueId().orElse("(none)"));
                    System.out.println("accepted  " + String.join(", ", result.accepted()));
                } catch (RateLimitedException e) {
                    System.out.println("rate limited (" + e.smtpCode() + "); retry later");
                    System.exit(75);
                } catch (MailwrightException e) {
                    System.out.println("not sent (" + e.category() + (e.isTransient() ? ", transient" : "") + "): "
                            + e.getMessage());
                    System.exit(1);
                }
            }
        }
    }
}
