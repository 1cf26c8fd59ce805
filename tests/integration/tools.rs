//! Real servers the tests start: an S3-compatible store (moto in server mode). Each comes from
//! PyPI into a virtual environment under `target/test-tools/` the first time a test needs it
//! (or from `KLINIK_TEST_TOOLS`, a virtual environment that already has them), and is stopped
//! when the test ends. A tool that cannot be installed or started fails the test: never a skip.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The versions the tests are written against.
const PACKAGES: &[&str] = &["moto[server]==5.2.6", "aiosmtpd==1.4.6"];

static INSTALL: Mutex<()> = Mutex::new(());

/// The virtual environment holding the tools, installed on first use.
fn venv() -> PathBuf {
    if let Some(dir) = std::env::var_os("KLINIK_TEST_TOOLS") {
        return PathBuf::from(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-tools");
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let ready = dir.join("installed.txt");
    if std::fs::read_to_string(&ready).ok().as_deref() == Some(&PACKAGES.join("\n")) {
        return dir;
    }
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .expect("python3 runs (the tests need it for their S3 and SMTP servers)");
    assert!(status.success(), "creating {}", dir.display());
    let status = Command::new(dir.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check"])
        .args(PACKAGES)
        .status()
        .expect("pip runs");
    assert!(status.success(), "installing {PACKAGES:?} from PyPI");
    std::fs::write(&ready, PACKAGES.join("\n")).expect("marking the tools installed");
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A server process, stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited at start: {status}");
        }
        assert!(Instant::now() < deadline, "{what} did not start in 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An S3-compatible server (moto) with one empty bucket, `bucket`.
pub fn s3_server(bucket: &str) -> Server {
    let port = free_port();
    let mut child = Command::new(venv().join("bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    wait_for(port, &mut child, "moto_server");
    let server = Server { child, port };
    let (status, _) = http(port, "PUT", &format!("/{bucket}"));
    assert_eq!(status, 200, "creating the bucket");
    server
}

impl Server {
    /// The keys the bucket holds (S3's ListObjectsV2, read as a client would).
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let (status, body) = http(self.port, "GET", &format!("/{bucket}?list-type=2"));
        assert_eq!(status, 200, "{body}");
        body.split("<Key>")
            .skip(1)
            .filter_map(|part| part.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

/// One HTTP/1.1 request without a body; the status and the body as text.
fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// An SMTP server (aiosmtpd) that keeps each message it receives as a file under `maildir/new`.
pub fn smtp_server(maildir: &std::path::Path) -> Server {
    let port = free_port();
    let mut child = Command::new(venv().join("bin/aiosmtpd"))
        .args([
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    wait_for(port, &mut child, "aiosmtpd");
    Server { child, port }
}

/// The messages an SMTP server from [`smtp_server`] has received, as text.
pub fn received(maildir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}
