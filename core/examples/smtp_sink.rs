//! A fast SMTP sink on 127.0.0.1 for the SMTP benchmark: answers every
//! command at once (PIPELINING, SIZE, 8BITMIME), reads DATA to the final
//! dot and throws it away. Prints its port, serves until stdin closes.
//!
//! `cargo run --release -p mailwright --example smtp_sink`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

fn serve(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    out.write_all(b"220 sink ESMTP ready\r\n")?;
    let mut line = Vec::with_capacity(1024);
    let mut replies = Vec::with_capacity(1024);
    let mut queued = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with(b"EHLO") {
            replies.extend_from_slice(
                b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 50000000\r\n",
            );
        } else if upper.starts_with(b"HELO")
            || upper.starts_with(b"MAIL")
            || upper.starts_with(b"RCPT")
            || upper.starts_with(b"RSET")
            || upper.starts_with(b"NOOP")
        {
            replies.extend_from_slice(b"250 ok\r\n");
        } else if upper.starts_with(b"DATA") {
            replies.extend_from_slice(b"354 go ahead\r\n");
            out.write_all(&replies)?;
            replies.clear();
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line)? == 0 {
                    return Ok(());
                }
                if line == b".\r\n" {
                    break;
                }
            }
            queued += 1;
            replies.extend_from_slice(format!("250 Queued as SINK{queued}\r\n").as_bytes());
        } else if upper.starts_with(b"QUIT") {
            replies.extend_from_slice(b"221 bye\r\n");
            out.write_all(&replies)?;
            return Ok(());
        } else {
            replies.extend_from_slice(b"500 unknown\r\n");
        }
        // Answer when the client has nothing more buffered (a pipelined flight ends).
        if reader.buffer().is_empty() {
            out.write_all(&replies)?;
            replies.clear();
        }
    }
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?.port());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    let mut sink = Vec::new();
    std::io::stdin().read_to_end(&mut sink)?;
    Ok(())
}
