//! The web console in tests: the `govcloud console` process, plain HTTP to
//! it (for what a browser would not send: forged POSTs), and headless
//! Chromium driven over WebDriver (chromedriver, its JSON over HTTP).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

impl Answer {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to `addr` (`host:port`), the connection closed after it.
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).expect("timeout");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("send");
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status = line.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).expect("header");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    // chromedriver keeps the connection open after its answer: read what Content-Length says.
    let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body).expect("body");
        }
        None => {
            r.read_to_end(&mut body).expect("body");
        }
    }
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

/// A free local port (bound, then let go).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running `govcloud console`, stopped when dropped.
pub struct Console {
    child: Child,
    /// Its `host:port`.
    pub addr: String,
}

impl Console {
    /// Starts the console with kubeconfig `kc` and these arguments.
    pub fn start(kc: &Path, args: &[&str]) -> Console {
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(kc.with_extension("console.log")).expect("log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_govcloud"))
            .args(["console", "--listen", &addr])
            .args(args)
            .env("KUBECONFIG", kc)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start govcloud console");
        for _ in 0..600 {
            if TcpStream::connect(&addr).is_ok() {
                return Console { child, addr };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the console did not listen on {addr}: see {}", kc.with_extension("console.log").display());
    }

    /// `http://addr` and `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A GET of `path` with these headers.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        http(&self.addr, "GET", path, headers, "")
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The session cookie (`name=value`) an answer sets.
pub fn session_cookie(a: &Answer) -> String {
    a.header("set-cookie").and_then(|c| c.split(';').next()).expect("a session cookie").to_string()
}

/// The CSRF token of the first form of a page.
pub fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().expect("token").to_string()
}

/// Where the screenshots go.
pub fn shots() -> PathBuf {
    let d = super::offline::repo().join("target/console-shots");
    std::fs::create_dir_all(&d).expect("shots dir");
    d
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Headless Chromium under chromedriver, one WebDriver session.
pub struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session; `None` (the test
    /// skipped, failed in CI) without them.
    pub fn start() -> Option<Browser> {
        let chromium = super::offline::chromium()?;
        let driver = Path::new("/usr/bin/chromedriver");
        if !driver.exists() {
            assert!(std::env::var_os("CI").is_none(), "CI: install chromium-driver (.ci/run)");
            eprintln!("SKIPPED: no /usr/bin/chromedriver (apt-get install chromium-driver)");
            return None;
        }
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        let addr = format!("127.0.0.1:{port}");
        let mut b = Browser { driver: child, addr, session: String::new() };
        for _ in 0..100 {
            if TcpStream::connect(&b.addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]
        }}}});
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("session id").to_string();
        Some(b)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let a = http(&self.addr, method, path, &[("Content-Type", "application/json")], &body);
        let v: Value = serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("chromedriver {path}: {e}: {}", a.body));
        assert!(a.status == 200, "chromedriver {method} {path}: {} {}", a.status, a.body);
        v["value"].clone()
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({"url": url})));
    }

    /// The element the CSS `selector` finds first.
    pub fn find(&self, selector: &str) -> String {
        let v = self.call("POST", &self.s("/element"), Some(json!({"using": "css selector", "value": selector})));
        v[ELEMENT].as_str().expect("element").to_string()
    }

    /// Types `text` into element `e`.
    pub fn type_in(&self, e: &str, text: &str) {
        self.call("POST", &self.s(&format!("/element/{e}/value")), Some(json!({"text": text})));
    }

    /// Clicks element `e`.
    pub fn click(&self, e: &str) {
        self.call("POST", &self.s(&format!("/element/{e}/click")), Some(json!({})));
    }

    /// The page's DOM, as HTML.
    pub fn source(&self) -> String {
        self.call("GET", &self.s("/source"), None).as_str().unwrap_or_default().to_string()
    }

    /// The page's DOM once `done` holds of it (polled: a click that submits a
    /// form returns before the answer is shown when the machine is loaded),
    /// or the last DOM read after 60 s, for the caller's assertion to show.
    pub fn source_when(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let dom = self.source();
            if done(&dom) || std::time::Instant::now() > deadline {
                return dom;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Attribute `name` of element `e`.
    pub fn attribute(&self, e: &str, name: &str) -> String {
        self.call("GET", &self.s(&format!("/element/{e}/attribute/{name}")), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The computed value of CSS property `name` of element `e`.
    pub fn css(&self, e: &str, name: &str) -> String {
        self.call("GET", &self.s(&format!("/element/{e}/css/{name}")), None).as_str().unwrap_or_default().to_string()
    }

    /// Where element `e` is drawn and its size, px: (x, y, width, height).
    pub fn rect(&self, e: &str) -> (f64, f64, f64, f64) {
        let v = self.call("GET", &self.s(&format!("/element/{e}/rect")), None);
        let n = |k: &str| v[k].as_f64().unwrap_or(0.0);
        (n("x"), n("y"), n("width"), n("height"))
    }

    /// Presses Tab, and says the `id` (or tag and name) of the element that has the focus.
    pub fn tab(&self) -> String {
        let key = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}]}]});
        self.call("POST", &self.s("/actions"), Some(key));
        let v = self.call("GET", &self.s("/element/active"), None);
        let e = v[ELEMENT].as_str().expect("active element").to_string();
        let id = self.attribute(&e, "id");
        if id.is_empty() { format!("{}:{}", self.attribute(&e, "name"), self.attribute(&e, "value")) } else { id }
    }

    /// A screenshot of the page, saved as `name`.png under [`shots`].
    pub fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let v = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64")).expect("png");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = shots().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(&self.addr, "DELETE", &format!("/session/{}", self.session), &[], "");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
