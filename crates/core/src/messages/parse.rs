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
//! every argument is a message of its own, except a failed admission check
//! (`[GC-…] {1} ({2})`), which matches when it names one of the controls.

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

impl Code {
    /// Whether an English text of this code is read back
    /// ([`Message::from_english`]). The evidence's words (`Evidence…`) are
    /// not: a finding carries them as code and arguments, and their short
    /// words (`{0} on {1}`, `{0} {1} by {2}`) would take in the texts of
    /// conditions and Events that are not theirs. Nor are `govcloud
    /// import`'s (`Import…`): its report keeps them as messages.
    pub fn is_read_back(self) -> bool {
        let s = self.as_str();
        !s.starts_with("Evidence") && !s.starts_with("Import")
    }
}

/// The catalogue's English texts as patterns, the most words first (of two
/// readings covering as much, the one with the more specific pattern).
fn patterns() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(|| {
        let mut v: Vec<Pattern> = Code::ALL
            .iter()
            .filter(|c| c.is_read_back())
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
                    None => match read_list(a, depth + 1, seen) {
                        Some((items, c)) => {
                            covered += c;
                            args.push(Arg::List(items));
                        }
                        None => args.push(Arg::Data(a.to_string())),
                    },
                }
            }
            if !p.worded && !args.iter().all(|a| matches!(a, Arg::Msg(_))) && !names_a_control(p.code, &args) {
                continue;
            }
            if best.as_ref().is_some_and(|(_, c)| *c > covered) {
                continue;
            }
            let m = Message::new(p.code, args);
            // Of two readings covering as much, the shallower (a place takes a message whole).
            if best.as_ref().is_some_and(|(b, c)| *c == covered && depth_of(b) <= depth_of(&m)) {
                continue;
            }
            if m.text(Lang::En) == text {
                best = Some((m, covered));
            }
        }
    }
    seen.insert(text, best.clone());
    best
}

/// A list `a, b, c` of which some items read back as messages (the others
/// are data), and how much of it catalogue words cover; `None` when no item
/// is a message (then the whole is data).
fn read_list<'t>(
    text: &'t str,
    depth: usize,
    seen: &mut HashMap<&'t str, Option<(Message, usize)>>,
) -> Option<(Vec<Arg>, usize)> {
    if !text.contains(", ") {
        return None;
    }
    // The separators count as covered: `a, b` read as a list of messages
    // covers as much as the same text read as messages joined by `{0}, {1}`.
    let mut covered = 2 * text.matches(", ").count();
    let mut messages = 0;
    let items: Vec<Arg> = text
        .split(", ")
        .map(|item| match read(item, depth, seen) {
            Some((m, c)) => {
                covered += c;
                messages += 1;
                Arg::Msg(m)
            }
            None => Arg::Data(item.to_string()),
        })
        .collect();
    (messages > 0).then_some((items, covered))
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
    if let Some(t) = said_one(message, lang) {
        return t;
    }
    // Messages (some with `; ` inside) and words govcloud did not write (the
    // API server's), joined: the longest run of parts that reads back first.
    let parts: Vec<&str> = message.split("; ").collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let longest = (i + 1..=parts.len().min(i + MAX_RUN))
            .rev()
            .find_map(|j| said_one(&parts[i..j].join("; "), lang).map(|t| (j, t)));
        match longest {
            Some((j, t)) => {
                out.push(t);
                i = j;
            }
            None => {
                out.push(parts[i].to_string());
                i += 1;
            }
        }
    }
    out.join(if lang == Lang::Zh { "；" } else { "; " })
}

/// The most parts between `; ` one message of a condition spans.
const MAX_RUN: usize = 6;

/// One message of a condition in `lang`, if it reads back: a message, or a
/// field path and a message (`spec.zone: …`, as a validation problem says
/// it); only a reading whose catalogue words take every `; ` (no value
/// spans two of the messages a condition joins).
fn said_one(text: &str, lang: Lang) -> Option<String> {
    let whole = |m: &Message| !spans(m, "; ");
    if let Some(m) = Message::from_english(text).filter(whole) {
        return Some(m.text(lang));
    }
    let (field, rest) = text.split_once(": ")?;
    if field.is_empty() || field.contains(char::is_whitespace) {
        return None;
    }
    let m = Message::from_english(rest).filter(whole)?;
    Some(format!("{field}{}{}", if lang == Lang::Zh { "：" } else { ": " }, m.text(lang)))
}

/// Whether a text without words of its own is a failed admission check all
/// the same: `[GC-…] <the rule's message> (<what was seen>)`, as a validation
/// problem gives it ([`Code::ProblemAdmission`]), its first place the id of
/// one of the catalogue's controls (so no other bracketed text is taken),
/// what was seen the last bracket (a rule's message may hold brackets).
fn names_a_control(code: Code, args: &[Arg]) -> bool {
    code == Code::ProblemAdmission
        && matches!(args.first(), Some(Arg::Data(id)) if crate::controls::control(id).is_some())
        && matches!(args.get(2), Some(Arg::Data(seen)) if !seen.contains(" ("))
}

/// How deep messages nest in `m` (1: no argument is a message).
fn depth_of(m: &Message) -> usize {
    fn arg(a: &Arg) -> usize {
        match a {
            Arg::Msg(m) => depth_of(m),
            Arg::List(items) => items.iter().map(arg).max().unwrap_or(0),
            Arg::Data(_) | Arg::Title(_) => 0,
        }
    }
    1 + m.args.iter().map(arg).max().unwrap_or(0)
}

/// Whether a value of `m` (nested too) holds `s`.
fn spans(m: &Message, s: &str) -> bool {
    fn arg(a: &Arg, s: &str) -> bool {
        match a {
            Arg::Data(d) => d.contains(s),
            Arg::Msg(m) => spans(m, s),
            Arg::List(items) => items.iter().any(|i| arg(i, s)),
            Arg::Title(_) => false,
        }
    }
    m.args.iter().any(|a| arg(a, s))
}
