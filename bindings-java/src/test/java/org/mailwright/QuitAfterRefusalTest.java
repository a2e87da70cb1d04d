package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 #1: a session ended by the server's refusal says QUIT (servers log
 * a dropped connection as "lost connection after AUTH", which
 * fail2ban-style filters ban hosts for), through SmtpClient and the Mailer.
 */
class QuitAfterRefusalTest {
    /** A loopback server that refuses every key with 535 (or greets as told) and records each connection's commands. */
    static final class Refuser implements AutoCloseable {
        final ServerSocket socket;
        final List<List<String>> sessions = new CopyOnWriteArrayList<>();
        final String greeting;

        Refuser(String greeting) throws Exception {
            this.greeting = greeting;
            socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve);
            t.setDaemon(true);
            t.start();
        }

        void serve() {
            while (true) {
                Socket s;
                try {
                    s = socket.accept();
                } catch (Exception e) {
                    return;
                }
                Thread t = new Thread(() -> one(s));
                t.setDaemon(true);
                t.start();
            }
        }

        void one(Socket s) {
            List<String> commands = new CopyOnWriteArrayList<>();
            sessions.add(commands);
            try (s) {
                OutputStream out = s.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String verb = line.split(" ")[0].toUpperCase();
                    commands.add(verb);
                    String answer = switch (verb) {
                        case "EHLO" -> "250-refuser\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n";
                        case "AUTH" -> "535 5.7.8 authentication failed\r\n";
                        case "QUIT" -> "221 2.0.0 bye\r\n";
                        default -> "503 5.5.1 what?\r\n";
                    };
                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                    if (verb.equals("QUIT")) return;
                }
            } catch (Exception e) {
                // the client went away
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        boolean allQuit(int atLeast) throws InterruptedException {
            for (int i = 0; i < 500; i++) {
                List<List<String>> seen = new ArrayList<>(sessions);
                if (seen.size() >= atLeast && seen.stream().allMatch(c -> !c.isEmpty() && c.get(c.size() - 1).equals("QUIT"))) {
                    return true;
                }
                Thread.sleep(10);
            }
            return false;
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void aRefusedKeyEndsWithQuitThroughTheClientAndTheMailer() throws Exception {
        try (Refuser server = new Refuser("220 refuser ESMTP\r\n")) {
            Credentials wrong = Credentials.of("api_user", "wrong");
            SmtpOptions options = SmtpOptions.builder("127.0.0.1", server.port()).tls(TlsMode.NONE)
                    .credentials(wrong).timeout(Duration.ofSeconds(5)).build();
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> SmtpClient.connect(options));
            assertEquals("AuthenticationFailed", e.kind());
            try (Mailer mailer = Mailer.builder("127.0.0.1", server.port()).tls(TlsMode.NONE).credentials(wrong)
                    .timeout(Duration.ofSeconds(5)).connections(2).build();
                    Message m = TestSupport.small()) {
                Outcome outcome = mailer.send(m);
                assertEquals("AuthenticationFailed", ((Outcome.Failed) outcome).error().kind());
            }
            assertTrue(server.allQuit(2), server.sessions.toString());
        }
    }

    @Test
    void a554GreetingSaysQuit() throws Exception {
        try (Refuser server = new Refuser("554 5.7.1 too many connections\r\n")) {
            SmtpOptions options = SmtpOptions.builder("127.0.0.1", server.port()).tls(TlsMode.NONE)
                    .timeout(Duration.ofSeconds(5)).build();
            MailwrightException e = assertThrows(MailwrightException.class, () -> SmtpClient.connect(options));
            assertEquals("SmtpPermanent", e.kind());
            assertTrue(server.allQuit(1), server.sessions.toString());
            assertEquals(List.of("QUIT"), server.sessions.get(0));
        }
    }
}
