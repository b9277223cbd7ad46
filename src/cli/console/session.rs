//! Sessions and CSRF tokens of the console (pure but for the random
//! numbers): a session is a random id in an HttpOnly, SameSite=Strict
//! cookie; each has its own CSRF token, which every form carries and every
//! POST must send back.

use std::collections::HashMap;
use std::io::Read;

/// A random 32-byte value, hex (from the kernel's random source).
pub fn random_hex() -> std::io::Result<String> {
    let mut b = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The `Set-Cookie` value of a session id (never readable by a script,
/// never sent by another site's form or link).
pub fn session_cookie(id: &str) -> String {
    format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict")
}

/// Name of the session cookie.
pub const COOKIE: &str = crate::meta::names::CONSOLE;

/// Whether two secrets are equal, in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub fn form(body: &[u8]) -> HashMap<String, String> {
    url_decode_pairs(body)
}

fn url_decode_pairs(body: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut it = pair.splitn(2, |b| *b == b'=');
        let k = decode(it.next().unwrap_or_default());
        let v = decode(it.next().unwrap_or_default());
        out.entry(k).or_insert(v);
    }
    out
}

/// Percent-decoding with `+` as a space; bytes that are not UTF-8 replaced.
fn decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// What the console keeps of one browser.
#[derive(Clone, Debug)]
pub struct Session<W> {
    /// The token every form of this session carries.
    pub csrf: String,
    /// Who logged in (token mode), when someone did.
    pub who: Option<W>,
    /// When the session was made.
    pub made: std::time::Instant,
    /// When the browser last used it.
    pub seen: std::time::Instant,
}

/// A session unused for this long is forgotten (its user logs in again).
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// A session older than this is forgotten, used or not.
pub const LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);
/// At most this many sessions are kept: a client that never sends its
/// cookie back makes a session per request, which must not grow the
/// console's memory without bound.
pub const MAX_SESSIONS: usize = 10_000;

impl<W> Session<W> {
    /// A new session with CSRF token `csrf`, made `now`.
    pub fn new(csrf: String, who: Option<W>, now: std::time::Instant) -> Session<W> {
        Session { csrf, who, made: now, seen: now }
    }

    /// Whether the session may still be used `now`.
    pub fn alive(&self, now: std::time::Instant) -> bool {
        now.saturating_duration_since(self.seen) < IDLE && now.saturating_duration_since(self.made) < LIFETIME
    }
}

/// Forgets the sessions that are no longer alive `now`; then, while more
/// than `max` remain, those nobody logged into, least recently seen first,
/// then the others the same way.
pub fn prune<W>(sessions: &mut HashMap<String, Session<W>>, now: std::time::Instant, max: usize) {
    sessions.retain(|_, s| s.alive(now));
    if sessions.len() <= max {
        return;
    }
    let mut order: Vec<(bool, std::time::Instant, String)> =
        sessions.iter().map(|(id, s)| (s.who.is_some(), s.seen, id.clone())).collect();
    order.sort();
    let excess = sessions.len() - max;
    for (_, _, id) in order.into_iter().take(excess) {
        sessions.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_decoded_and_the_first_value_of_a_field_counts() {
        let f = form(b"reason=%E5%90%8C%E6%84%8F+ok&state=Approved&state=Rejected&bad=%zz&end=%4");
        assert_eq!(f["reason"], "同意 ok");
        assert_eq!(f["state"], "Approved");
        assert_eq!(f["bad"], "%zz");
        assert_eq!(f["end"], "%4");
    }

    #[test]
    fn cookies_and_secrets() {
        assert_eq!(cookie("a=1; govcloud-console=abc; b=2", COOKIE), Some("abc"));
        assert_eq!(cookie("a=1", COOKIE), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        let (x, y) = (random_hex().unwrap(), random_hex().unwrap());
        assert_eq!(x.len(), 64);
        assert_ne!(x, y);
        assert!(session_cookie(&x).contains("HttpOnly; SameSite=Strict"));
    }

    #[test]
    fn sessions_expire_when_idle_or_old_and_stay_bounded() {
        use std::time::Duration;
        let t0 = std::time::Instant::now();
        let mut all: HashMap<String, Session<&str>> = HashMap::new();
        all.insert("idle".into(), Session::new("c".into(), Some("u"), t0));
        let mut old = Session::new("c".into(), Some("u"), t0);
        old.seen = t0 + LIFETIME - Duration::from_secs(60);
        all.insert("old".into(), old);
        let mut used = Session::new("c".into(), Some("u"), t0);
        used.seen = t0 + IDLE + Duration::from_secs(60);
        all.insert("used".into(), used);
        prune(&mut all, t0 + IDLE + Duration::from_secs(120), MAX_SESSIONS);
        let mut left: Vec<&String> = all.keys().collect();
        left.sort();
        assert_eq!(left, ["old", "used"], "an idle session is forgotten, a recently used one kept");
        prune(&mut all, t0 + LIFETIME + Duration::from_secs(1), MAX_SESSIONS);
        assert!(!all.contains_key("old"), "a session past its lifetime is forgotten even if used");
        // Over the bound: anonymous sessions go first, least recently seen first.
        let mut many: HashMap<String, Session<&str>> = HashMap::new();
        for i in 0..6u64 {
            let mut s = Session::new("c".into(), (i % 2 == 0).then_some("u"), t0);
            s.seen = t0 + Duration::from_secs(i);
            many.insert(format!("s{i}"), s);
        }
        prune(&mut many, t0 + Duration::from_secs(10), 4);
        let mut left: Vec<&String> = many.keys().collect();
        left.sort();
        assert_eq!(left, ["s0", "s2", "s4", "s5"], "the two oldest anonymous sessions go");
    }
}
