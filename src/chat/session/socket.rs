//! The TCP socket under a websocket, kept so a session whose client stopped reading can be cut off.
//!
//! A session actor is driven by the HTTP layer polling its response stream; when the client stops
//! reading, the HTTP layer stops polling and the actor freezes — memory stays bounded (its mailbox
//! is bounded and further pushes are dropped) but nothing inside the actor can close the
//! connection. Shutting the socket down makes the pending write fail, the HTTP layer drops the
//! connection, and the actor stops normally (and leaves the registry).

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use nix::sys::socket::{getpeername, shutdown, Shutdown, SockaddrStorage};

/// A connection's socket descriptor and the peer it was accepted from.
#[derive(Debug, Clone, Copy)]
pub struct ConnSocket {
    fd: RawFd,
    peer: SocketAddr,
}

impl ConnSocket {
    /// Records the socket of an accepted connection (`HttpServer::on_connect`).
    pub fn of(conn: &dyn std::any::Any) -> Option<ConnSocket> {
        let tcp = conn.downcast_ref::<actix_web::rt::net::TcpStream>()?;
        Some(ConnSocket {
            fd: tcp.as_raw_fd(),
            peer: tcp.peer_addr().ok()?,
        })
    }

    /// Shuts the connection down, unless the descriptor now belongs to another peer (it was
    /// closed and reused meanwhile).
    pub fn cut_off(&self) {
        let same_peer = getpeername::<SockaddrStorage>(self.fd)
            .ok()
            .is_some_and(|addr| same(&addr, &self.peer));
        // The peer check makes sure the descriptor is still this connection's socket.
        if same_peer {
            if let Err(e) = shutdown(self.fd, Shutdown::Both) {
                tracing::debug!(error = %e, "socket shutdown failed");
            }
        }
    }
}

fn same(addr: &SockaddrStorage, peer: &SocketAddr) -> bool {
    match peer {
        SocketAddr::V4(p) => addr
            .as_sockaddr_in()
            .is_some_and(|a| a.ip() == *p.ip() && a.port() == p.port()),
        SocketAddr::V6(p) => addr
            .as_sockaddr_in6()
            .is_some_and(|a| a.ip() == *p.ip() && a.port() == p.port()),
    }
}
