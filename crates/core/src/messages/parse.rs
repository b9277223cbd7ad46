//! Reading an English text back into its message: what lets a page say in
//! its own language what a condition's `message`, an Event's `note` or a
//! flow's `reason` in a DepartmentApp's status says in English.
//!
//! Kubernetes keeps those human strings, and govcloud writes them in English
//! (what `kubectl` users and the API server's own messages speak), always as
//! the English text of one catalogue [`Message`]. Nothing beside them is
//! stored: the English text is read back against the catalogue's English
//! texts (each a pattern whose places `{0}`, `{1}` … take any non-empty
//! words), arguments that are themselves the text of a message read back
//! too. So the status keeps its shape (statuses already in a cluster are
//! read the same way) and a page gets the code and arguments from the text.
//!
//! A text read back is given again only when its English re-rendering is
//! the very text read: what cannot be read is shown as it is (English),
//! never as a wrong translation. Of several readings (`granted by {0}`
//! takes all of `granted by x, within zone y` too) the one whose catalogue
//! words cover the most of the text wins: here `{0}, {1}` of two messages.
//! Texts made only of places and punctuation (`{0}, {1}`) match only when
//! every argument is a message of its own.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Arg, Code, Lang, Message};

/// One piece of an English text: words, or a place.
#[derive(Debug)]
enum Piece {
    Words(&'static str),
    Place(usize),
}

struct Pattern {
    code: Code,
    pieces: Vec<Piece>,
    /// Whether its words have a letter (else every argument must be a message).
    worded: bool,
    /// How long its words are.
    words: usize,
}

fn pieces(t: &'static str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| after[..close].parse::<usize>().ok().map(|n| (n, close))) {
            Some((n, close)) => {
                if open > 0 {
                    out.push(Piece::Words(&rest[..open]));
                }
                out.push(Piece::Place(n));
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Words(rest));
    }
    out
}

/// The catalogue's English texts as patterns, the most words first (of two
/// readings covering as much, the one with the more specific pattern).
fn patterns() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(|| {
        let mut v: Vec<Pattern> = Code::ALL
            .iter()
            .map(|&code| {
                let pieces = pieces(code.text(Lang::En));
                let worded = pieces.iter().any(|p| matches!(p, Piece::Words(w) if w.chars().any(char::is_alphabetic)));
                let words = pieces.iter().map(|x| if let Piece::Words(w) = x { w.len() } else { 0 }).sum();
                Pattern { code, pieces, worded, words }
            })
            .filter(|p| p.pieces.iter().any(|x| matches!(x, Piece::Words(_))))
            .collect();
        v.sort_by(|a, b| b.words.cmp(&a.words).then(a.code.cmp(&b.code)));
        v
    })
}

/// Every way `pieces` match all of `text` (the text each place takes, by
/// place number), at most [`MAX_FITS`].
fn fits<'t>(pieces: &[Piece], text: &'t str, caps: &mut Vec<Option<&'t str>>, out: &mut Vec<Vec<&'t str>>) {
    if out.len() >= MAX_FITS {
        return;
    }
    match pieces.split_first() {
        None => {
            if text.is_empty() && caps.iter().all(Option::is_some) {
                out.push(caps.iter().flatten().copied().collect());
            }
        }
        Some((Piece::Words(w), rest)) => {
            if let Some(t) = text.strip_prefix(w) {
                fits(rest, t, caps, out);
            }
        }
        Some((Piece::Place(n), rest)) => {
            let n = *n;
            if caps.len() <= n {
                caps.resize(n + 1, None);
            }
            let ends: Vec<usize> = match rest.first() {
                None => vec![text.len()],
                Some(Piece::Words(w)) => text.match_indices(w).map(|(i, _)| i).collect(),
                // Two places side by side cannot be told apart.
                Some(Piece::Place(_)) => Vec::new(),
            };
            for end in ends.into_iter().filter(|&e| e > 0) {
                let arg = &text[..end];
                let before = caps[n];
                if before.is_some_and(|b| b != arg) {
                    continue;
                }
                caps[n] = Some(arg);
                fits(rest, &text[end..], caps, out);
                caps[n] = before;
            }
        }
    }
}

/// The most ways one pattern is tried on one text.
const MAX_FITS: usize = 64;

impl Message {
    /// The message whose English text is `text` (arguments that are the
    /// text of a message read back as that message), if the catalogue has
    /// one. Of several readings, the one whose catalogue words cover the
    /// most of the text (the least of it left as data). See the module doc.
    pub fn from_english(text: &str) -> Option<Message> {
        read(text, 0, &mut HashMap::new()).map(|(m, _)| m)
    }
}

/// The best reading of `text` and how much of it catalogue words cover.
fn read<'t>(
    text: &'t str,
    depth: usize,
    seen: &mut HashMap<&'t str, Option<(Message, usize)>>,
) -> Option<(Message, usize)> {
    // Deep enough for every nesting the catalogue makes; a bound all the same.
    if text.is_empty() || depth > 6 {
        return None;
    }
    if let Some(known) = seen.get(text) {
        return known.clone();
    }
    let mut best: Option<(Message, usize)> = None;
    for p in patterns() {
        let mut found = Vec::new();
        fits(&p.pieces, text, &mut Vec::new(), &mut found);
        for caps in found {
            let mut covered = p.words;
            let mut args = Vec::with_capacity(caps.len());
            for a in caps {
                match read(a, depth + 1, seen) {
                    Some((m, c)) => {
                        covered += c;
                        args.push(Arg::Msg(m));
                    }
                    None => args.push(Arg::Data(a.to_string())),
                }
            }
            if !p.worded && !args.iter().all(|a| matches!(a, Arg::Msg(_))) {
                continue;
            }
            if best.as_ref().is_some_and(|(_, c)| *c >= covered) {
                continue;
            }
            let m = Message::new(p.code, args);
            if m.text(Lang::En) == text {
                best = Some((m, covered));
            }
        }
    }
    seen.insert(text, best.clone());
    best
}

/// What a condition (its `reason` and `message`) or an Event (its `reason`
/// and `note`) says, in `lang`: the message read back from the English text
/// ([`Message::from_english`]: several messages joined with `; `, as a
/// condition lists what it waits for, read as [`Code::Joined`]); of a text
/// that is not all messages, each part between `; ` read back; an empty
/// message the reason's own text. What cannot be read back is given as it
/// is. Pure: the operator, `govcloud mine` and the web console use it alike.
pub fn said(reason: &str, message: &str, lang: Lang) -> String {
    let message = message.trim();
    if message.is_empty() {
        return match Code::parse(reason) {
            Some(c) if !c.text(lang).contains('{') => c.text(lang).to_string(),
            _ => reason.to_string(),
        };
    }
    if let Some(m) = Message::from_english(message) {
        return m.text(lang);
    }
    // Messages and words govcloud did not write (a validation's, the API server's), joined.
    let parts: Vec<String> = message
        .split("; ")
        .map(|part| Message::from_english(part).map_or_else(|| part.to_string(), |m| m.text(lang)))
        .collect();
    parts.join(if lang == Lang::Zh { "；" } else { "; " })
}
