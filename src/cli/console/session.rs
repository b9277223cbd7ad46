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
    format!("govcloud-console={id}; Path=/; HttpOnly; SameSite=Strict")
}

/// Name of the session cookie.
pub const COOKIE: &str = "govcloud-console";

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
}
