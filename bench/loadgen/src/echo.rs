//! `rust-echo`: a reference WebSocket echo server on the wsprism engine — one thread, one epoll
//! loop (mio), no async runtime. It is the ceiling the Node servers are compared with: the same
//! engine work (handshake, decode, unmask, UTF-8, inflate, deflate, frame) without JavaScript.
//!
//! `rust-echo [--port 0] [--host 127.0.0.1] [--deflate]` prints `READY <port>` on stdout once
//! listening. With `--deflate`, permessage-deflate is negotiated with the engine's defaults
//! (context takeover, 15-bit windows, level 6) and every echo is compressed (threshold 0).

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};
use wsprism::deflate::{self, DeflateConfig};
use wsprism::handshake::{self, Parsed};
use wsprism::{Decoder, DecoderConfig, Encoder, EncoderConfig, EventRef, MessageOptions, Role};

const LISTENER: Token = Token(usize::MAX);

struct Conn {
    sock: TcpStream,
    open: bool,
    closing: bool,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    dec: Option<Decoder>,
    enc: Option<Encoder>,
    compress: bool,
}

enum Flush {
    Done,
    Pending,
    Gone,
}

fn flush(c: &mut Conn) -> Flush {
    while c.out_pos < c.out.len() {
        match c.sock.write(&c.out[c.out_pos..]) {
            Ok(0) => return Flush::Gone,
            Ok(n) => c.out_pos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Flush::Pending,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Flush::Gone,
        }
    }
    c.out.clear();
    c.out_pos = 0;
    Flush::Done
}

/// Handles bytes read on an open connection; returns false to drop it.
fn on_data(c: &mut Conn, data: &mut [u8]) -> bool {
    let Conn {
        dec,
        enc,
        out,
        compress,
        closing,
        ..
    } = c;
    let (Some(dec), Some(enc)) = (dec.as_mut(), enc.as_mut()) else {
        return false;
    };
    let opts = MessageOptions {
        compress: *compress,
        ..Default::default()
    };
    let r = dec.feed(data, |ev| match ev {
        EventRef::Message { text, data } => {
            let _ = enc.message(text, data, &opts, out);
        }
        EventRef::Ping(p) => {
            let _ = enc.pong(p, out);
        }
        EventRef::Pong(_) => {}
        EventRef::Close { code, .. } => {
            let _ = enc.close(code.filter(|&c| c != 1005), "", out);
            *closing = true;
        }
    });
    if let Err(e) = r {
        let _ = enc.close(Some(e.close_code().into()), "", out);
        *closing = true;
    }
    true
}

fn main() {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 0;
    let mut use_deflate = false;
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--host" => host = it.next().unwrap_or(host),
            "--port" => port = it.next().and_then(|p| p.parse().ok()).unwrap_or(0),
            "--deflate" => use_deflate = true,
            _ => {
                eprintln!("usage: rust-echo [--port 0] [--host 127.0.0.1] [--deflate]");
                std::process::exit(2);
            }
        }
    }
    let addr = match format!("{host}:{port}").parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!("rust-echo: bad address");
            std::process::exit(2);
        }
    };
    let run = || -> std::io::Result<()> {
        let mut poll = Poll::new()?;
        let mut listener = TcpListener::bind(addr)?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        println!("READY {}", listener.local_addr()?.port());
        std::io::stdout().flush()?;
        let dcfg = DeflateConfig::default();
        let mut conns: Vec<Option<Conn>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        let mut events = Events::with_capacity(1024);
        let mut rbuf = vec![0u8; 256 * 1024];
        loop {
            poll.poll(&mut events, None)?;
            for ev in events.iter() {
                if ev.token() == LISTENER {
                    loop {
                        match listener.accept() {
                            Ok((mut sock, _)) => {
                                let _ = sock.set_nodelay(true);
                                let i = free.pop().unwrap_or_else(|| {
                                    conns.push(None);
                                    conns.len() - 1
                                });
                                poll.registry().register(
                                    &mut sock,
                                    Token(i),
                                    Interest::READABLE | Interest::WRITABLE,
                                )?;
                                conns[i] = Some(Conn {
                                    sock,
                                    open: false,
                                    closing: false,
                                    inbuf: Vec::new(),
                                    out: Vec::new(),
                                    out_pos: 0,
                                    dec: None,
                                    enc: None,
                                    compress: false,
                                });
                            }
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    }
                    continue;
                }
                let i = ev.token().0;
                let Some(c) = conns.get_mut(i).and_then(Option::as_mut) else {
                    continue;
                };
                let mut keep = true;
                if ev.is_readable() {
                    loop {
                        let n = match c.sock.read(&mut rbuf) {
                            Ok(0) => {
                                keep = false;
                                break;
                            }
                            Ok(n) => n,
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                            Err(_) => {
                                keep = false;
                                break;
                            }
                        };
                        if c.open {
                            keep = on_data(c, &mut rbuf[..n]);
                        } else {
                            c.inbuf.extend_from_slice(&rbuf[..n]);
                            match handshake::parse_request(&c.inbuf, 8192) {
                                Ok(Parsed::NeedMore(_)) => {}
                                Ok(Parsed::Complete { value, len }) => match value.validate() {
                                    Ok(up) => {
                                        let neg = if use_deflate {
                                            deflate::negotiate(&up.extensions, &dcfg)
                                        } else {
                                            None
                                        };
                                        let params = neg.as_ref().map(|n| n.params);
                                        match handshake::build_response(
                                            &up.accept,
                                            None,
                                            neg.as_ref().map(|n| n.response.as_str()),
                                            &[],
                                        ) {
                                            Ok(head) => c.out.extend_from_slice(&head),
                                            Err(e) => {
                                                eprintln!("rust-echo: 101 response: {e}");
                                                std::process::exit(1);
                                            }
                                        }
                                        c.dec = Some(Decoder::new(DecoderConfig {
                                            role: Role::Server,
                                            max_frame_size: 100 << 20,
                                            max_message_size: 100 << 20,
                                            deflate: params,
                                            ..Default::default()
                                        }));
                                        c.enc = Some(Encoder::new(EncoderConfig {
                                            role: Role::Server,
                                            deflate: params,
                                            level: None,
                                            mem_level: None,
                                        }));
                                        c.compress = params.is_some();
                                        c.open = true;
                                        let mut rest = c.inbuf.split_off(len);
                                        c.inbuf = Vec::new();
                                        if !rest.is_empty() {
                                            keep = on_data(c, &mut rest);
                                        }
                                    }
                                    Err(e) => {
                                        c.out.extend_from_slice(&handshake::build_rejection(&e));
                                        c.closing = true;
                                    }
                                },
                                Err(e) => {
                                    c.out.extend_from_slice(&handshake::build_rejection(&e));
                                    c.closing = true;
                                }
                            }
                        }
                        if !keep {
                            break;
                        }
                    }
                }
                if keep {
                    match flush(c) {
                        Flush::Done => keep = !c.closing,
                        Flush::Pending => {}
                        Flush::Gone => keep = false,
                    }
                }
                if !keep {
                    if let Some(mut c) = conns[i].take() {
                        let _ = poll.registry().deregister(&mut c.sock);
                    }
                    free.push(i);
                }
            }
        }
    };
    if let Err(e) = run() {
        eprintln!("rust-echo: {e}");
        std::process::exit(1);
    }
}
