//! The one catalogue of what a page says in words: every reason, message
//! and phrase a finding, a flow, a condition or an Event carries is a
//! [`Code`] (stable, CamelCase: what JSON, status and Events carry) with
//! arguments, and the page turns it into zh or en text with [`Message::text`].
//! The texts themselves are in [`catalogue`] (`{0}`, `{1}` … are the
//! arguments); nothing else in the code writes a sentence a page shows.
//!
//! ```text
//!   check / flow / reconcile ──► Message { code, args } ──► JSON, status, Event (code + English text)
//!                                                       └─► page: text(lang)
//! ```
//!
//! The language of a command's pages when `--lang` is not given comes from
//! the locale ([`Lang::from_locale`]), and is Chinese unless the locale is English.
//!
//! Conditions' `message`, Events' `note` and the flow reasons a
//! DepartmentApp's status keeps are Kubernetes' human strings: govcloud
//! writes there the English text of a message, and a page reads the message
//! back from it ([`said`], [`Message::from_english`]: the module `parse` says why
//! no code is stored beside them). Audit findings keep their reason and
//! their evidence's words as messages (the JSON carries both code and
//! English text).

use std::fmt::Write as _;

use serde::{Serialize, Serializer};

mod catalogue;
mod parse;
pub use catalogue::Code;
pub use parse::said;

/// The language of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// The language of the locale, as POSIX chooses it: the first of
    /// `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty. English
    /// (`en`, `en_US.UTF-8` …) gives [`Lang::En`]; anything else — Chinese,
    /// Mongolian (`mn_CN`: the pages give Mongolian names in Chinese pages),
    /// `C`, `POSIX`, nothing set — gives [`Lang::Zh`]: govcloud is made for a
    /// Chinese authority, and Chinese is what it falls back to.
    pub fn from_locale(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
        let chosen = [lc_all, lc_messages, lang].into_iter().flatten().find(|v| !v.is_empty());
        match chosen {
            Some(v) if v == "en" || v.starts_with("en_") || v.starts_with("en.") || v.starts_with("en@") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// One argument of a message: words that are data (a name, a field, a
/// number: the same in every language), or a message of its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    /// Data, given as it is.
    Data(String),
    /// A message, in the page's language.
    Msg(Message),
    /// A control's title (by its id), in the page's language.
    Title(&'static str),
    /// Several arguments in a row, `a, b` (zh `a、b`): values or messages.
    List(Vec<Arg>),
}

impl Arg {
    /// The argument in `lang`: data as it is, a message or a title translated.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Arg::Data(d) => d.clone(),
            Arg::Msg(m) => m.text(lang),
            Arg::Title(id) => crate::controls::control(id)
                .map(|c| if lang == Lang::Zh { c.title_zh } else { c.title_en })
                .unwrap_or(id)
                .to_string(),
            Arg::List(items) => {
                let sep = if lang == Lang::Zh { "、" } else { ", " };
                items.iter().map(|a| a.text(lang)).collect::<Vec<_>>().join(sep)
            }
        }
    }

    /// A list of `items` (values or messages) as one argument.
    pub fn list<T: Into<Arg>>(items: impl IntoIterator<Item = T>) -> Arg {
        Arg::List(items.into_iter().map(Into::into).collect())
    }

    /// The message, when the argument is one.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Arg::Msg(m) => Some(m),
            _ => None,
        }
    }
}

impl std::fmt::Display for Arg {
    /// The English text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Data(d) => s.serialize_str(d),
            Arg::Msg(m) => m.serialize(s),
            Arg::Title(id) => s.serialize_str(id),
            Arg::List(items) => s.collect_seq(items),
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Data(s)
    }
}
impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Data(s.to_string())
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Data(s.clone())
    }
}
impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Msg(m)
    }
}
impl From<Code> for Arg {
    fn from(c: Code) -> Arg {
        Arg::Msg(Message::new(c, Vec::new()))
    }
}

/// A reason, message or phrase: its code and arguments. JSON gives it as
/// `{"code": "...", "args": [...]}` (no `args` when there are none).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Message {
    /// The stable code.
    pub code: Code,
    /// The arguments, `{0}`, `{1}` … of the texts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Arg>,
}

/// A [`Message`]: `msg!(Code::X)`, `msg!(Code::X, a, b)` with arguments
/// anything that is `Into<Arg>` (strings are data, messages are translated).
#[macro_export]
macro_rules! msg {
    ($code:expr $(, $arg:expr)* $(,)?) => {
        $crate::messages::Message::new($code, vec![$($crate::messages::Arg::from($arg)),*])
    };
}

impl Message {
    /// A message of `code` with `args`.
    pub fn new(code: Code, args: Vec<Arg>) -> Message {
        Message { code, args }
    }

    /// `items` one after the other, `a; b; c` (zh `a；b；c`), as
    /// [`Code::Joined`] nests them; `None` for no items.
    pub fn joined(items: impl IntoIterator<Item = Message>) -> Option<Message> {
        items.into_iter().reduce(|a, b| Message::new(Code::Joined, vec![Arg::Msg(a), Arg::Msg(b)]))
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let mut out = String::new();
        self.write(lang, &mut out);
        out
    }

    fn write(&self, lang: Lang, out: &mut String) {
        let mut rest = self.code.text(lang);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').and_then(|close| after[..close].parse::<usize>().ok().map(|n| (n, close))) {
                Some((n, close)) => {
                    match self.args.get(n) {
                        Some(Arg::Data(d)) => out.push_str(d),
                        Some(Arg::Msg(m)) => m.write(lang, out),
                        Some(a @ (Arg::Title(_) | Arg::List(_))) => out.push_str(&a.text(lang)),
                        // A missing argument shows as its place, never as a panic (the catalogue's tests forbid it).
                        None => {
                            let _ = write!(out, "{{{n}}}");
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
    }
}

impl std::fmt::Display for Message {
    /// The English text (what status, Events and logs carry beside the code).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

#[cfg(test)]
mod tests;
