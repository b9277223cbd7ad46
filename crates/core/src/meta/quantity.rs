//! Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `12e6`), exact: a
//! value in nano-units held as an `i128` (every quantity Kubernetes keeps
//! exactly is a whole number of nano-units; i128 holds up to about 1.7e29
//! units), with the format it was written in, which decides how it is
//! displayed, as Kubernetes keeps it.
//!
//! ```text
//!   "1.5"  ──parse──► 1_500_000_000 n, DecimalSI ──Display──► "1500m"
//!   "2Gi"  ──parse──► 2·2^30·10^9 n,   BinarySI  ──Display──► "2Gi"
//!   "12e6" ──parse──► 12·10^15 n,      exponent  ──Display──► "12e6"
//! ```
//!
//! Equality, order and hashing are by value only (`1.5` == `1500m`).
//! Parsing follows Kubernetes (`resource.ParseQuantity`): digits beyond the
//! nano are rounded up (away from zero), so that asking for a tiny amount
//! never becomes zero. Bad input is an error, never a panic; a value too
//! large for i128 nano-units is [`QuantityError::Overflow`].

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::Sum;
use std::ops::{Add, AddAssign};
use std::str::FromStr;

/// Nano-units per unit.
const NANO: i128 = 1_000_000_000;
/// Nano-units per milli-unit.
const NANO_PER_MILLI: i128 = 1_000_000;
/// The binary suffixes, by power of 1024.
const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/// How a quantity was written; it decides how [`Quantity`] displays it (as
/// Kubernetes' `resource.Format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Powers of 1024: `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`.
    BinarySi,
    /// Powers of 1000 (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or no suffix.
    #[default]
    DecimalSi,
    /// A decimal exponent: `e3`, `E-6`.
    DecimalExponent,
}

/// A Kubernetes quantity, exact (see the module's documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

/// Why a string is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Nothing (or only spaces) was written.
    #[error("an empty string is not a quantity: write one such as 500m, 2 or 4Gi")]
    Empty,
    /// The number is missing or malformed (`1.2.3`, `.`, `Gi`).
    #[error("{0:?} is not a quantity: it must start with a number such as 2, 0.5 or 500")]
    Number(String),
    /// The suffix is none Kubernetes knows (`5X`).
    #[error(
        "{0:?} is not a quantity: its suffix must be one of n u m k M G T P E Ki Mi Gi Ti Pi Ei or an exponent such as e3"
    )]
    Suffix(String),
    /// Larger than i128 nano-units hold (about 1.7e29).
    #[error("{0:?} is too large a quantity")]
    Overflow(String),
}

impl Quantity {
    /// Zero.
    pub const ZERO: Quantity = Quantity { nanos: 0, format: Format::DecimalSi };

    /// Parses a quantity as Kubernetes writes it (spaces around are ignored).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let s = text.trim();
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let end = unsigned.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(end);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(QuantityError::Number(text.to_string()));
        }
        let (exp10, pow1024, format) = match suffix {
            "" => (0, 0, Format::DecimalSi),
            "n" => (-9, 0, Format::DecimalSi),
            "u" => (-6, 0, Format::DecimalSi),
            "m" => (-3, 0, Format::DecimalSi),
            "k" => (3, 0, Format::DecimalSi),
            "M" => (6, 0, Format::DecimalSi),
            "G" => (9, 0, Format::DecimalSi),
            "T" => (12, 0, Format::DecimalSi),
            "P" => (15, 0, Format::DecimalSi),
            "E" => (18, 0, Format::DecimalSi),
            "Ki" => (0, 1, Format::BinarySi),
            "Mi" => (0, 2, Format::BinarySi),
            "Gi" => (0, 3, Format::BinarySi),
            "Ti" => (0, 4, Format::BinarySi),
            "Pi" => (0, 5, Format::BinarySi),
            "Ei" => (0, 6, Format::BinarySi),
            e => match e.strip_prefix(['e', 'E']).and_then(|x| x.parse::<i32>().ok()) {
                Some(x) => (i64::from(x), 0, Format::DecimalExponent),
                None => return Err(QuantityError::Suffix(text.to_string())),
            },
        };
        let magnitude =
            nanos_of(int, frac, exp10 + 9, pow1024).ok_or_else(|| QuantityError::Overflow(text.to_string()))?;
        Ok(Quantity { nanos: if negative { -magnitude } else { magnitude }, format })
    }

    /// A quantity of `nanos` nano-units (displayed in the decimal SI format).
    pub const fn from_nanos(nanos: i128) -> Quantity {
        Quantity { nanos, format: Format::DecimalSi }
    }

    /// The same value, displayed in `format`.
    pub const fn with_format(self, format: Format) -> Quantity {
        Quantity { nanos: self.nanos, format }
    }

    /// The value in nano-units.
    pub const fn nanos(self) -> i128 {
        self.nanos
    }

    /// The format it displays in.
    pub const fn format(self) -> Format {
        self.format
    }

    /// Whether it is zero.
    pub const fn is_zero(self) -> bool {
        self.nanos == 0
    }

    /// The value in units (cores, bytes) as a float: for ratios and scores,
    /// not for arithmetic on quantities.
    pub fn to_f64(self) -> f64 {
        // i128 -> f64 rounds to the nearest float; whole units are exact up to 2^53.
        (self.nanos / NANO) as f64 + (self.nanos % NANO) as f64 / NANO as f64
    }

    /// The value in milli-units, rounded half away from zero.
    pub fn round_millis(self) -> i128 {
        div_round_half_away(self.nanos, NANO_PER_MILLI)
    }

    /// `percent` % of it, rounded up (away from zero) to the nano as
    /// Kubernetes rounds; saturating at the largest quantity.
    pub fn percent(self, percent: i32) -> Quantity {
        let scaled = match self.nanos.checked_mul(i128::from(percent)) {
            Some(n) => div_round_away(n, 100),
            None => saturated(self.nanos.signum() * i128::from(percent.signum())),
        };
        Quantity { nanos: scaled, format: self.format }
    }

    /// The sum, saturating at the largest quantity either way.
    pub fn saturating_add(self, other: Quantity) -> Quantity {
        let nanos = self.nanos.checked_add(other.nanos).unwrap_or_else(|| saturated(other.nanos.signum()));
        // As Kubernetes adds: the left format, unless the left is zero.
        let format = if self.nanos == 0 { other.format } else { self.format };
        Quantity { nanos, format }
    }
}

/// The largest magnitude, with the sign of `sign` (symmetric, so its negation and display parse back).
fn saturated(sign: i128) -> i128 {
    if sign < 0 { -i128::MAX } else { i128::MAX }
}

/// `n / d` (d > 0), rounded half away from zero.
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if r.unsigned_abs() * 2 >= d.unsigned_abs() { q + n.signum() } else { q }
}

/// `n / d` (d > 0), rounded away from zero.
fn div_round_away(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if r != 0 { q + n.signum() } else { q }
}

/// The nano-units of the unsigned decimal `int.frac` times 10^`exp` times
/// 1024^`pow1024` (`exp` already counts the nine digits of the nano),
/// rounded up; `None` when it does not fit.
fn nanos_of(int: &str, frac: &str, exp: i64, pow1024: u32) -> Option<i128> {
    let digits: Vec<i128> = int.bytes().chain(frac.bytes()).map(|b| i128::from(b - b'0')).collect();
    let Some(first) = digits.iter().position(|d| *d != 0) else { return Some(0) };
    let digits = &digits[first..];
    // Where the decimal point falls in `digits` once scaled by 10^exp.
    let point = i64::try_from(int.len()).ok()? - i64::try_from(first).ok()? + exp;
    let len = i64::try_from(digits.len()).ok()?;
    // i128 holds 38 whole digits: anything with more is too large.
    if point > 39 {
        return None;
    }
    let multiplier = 1i128 << (10 * pow1024);
    let whole_len = usize::try_from(point.clamp(0, len)).ok()?;
    let (whole, fraction) = digits.split_at(whole_len);
    let mut value: i128 = 0;
    for d in whole {
        value = value.checked_mul(10)?.checked_add(*d)?;
    }
    for _ in len..point {
        value = value.checked_mul(10)?;
    }
    value = value.checked_mul(multiplier)?;
    // The fraction times the multiplier, rounded up: long multiplication
    // from the last digit; `carry` ends as its whole part, `rest` says
    // whether anything is left below it.
    let (mut carry, mut rest) = (0i128, false);
    for d in fraction.iter().rev() {
        let x = d * multiplier + carry;
        carry = x / 10;
        rest |= x % 10 != 0;
    }
    // Zeros between the point and the digits (a tiny value): each divides by ten.
    let zeros = -point.min(0);
    if zeros > 40 {
        // Below 10^-40 of a nano times 2^60: less than one nano, not zero.
        return value.checked_add(1);
    }
    for _ in 0..zeros {
        rest |= carry % 10 != 0;
        carry /= 10;
    }
    value.checked_add(carry)?.checked_add(i128::from(rest))
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

/// Kubernetes' canonical form (`Quantity.String()`): the decimal SI format
/// with the largest suffix that keeps the number whole (`1500m`, `15k`);
/// the binary format by the largest power of 1024 that divides the value
/// (`1536Mi`), in the decimal one below 1024 or when fractional; an
/// exponent a multiple of three (`12e6`).
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let magnitude = self.nanos.unsigned_abs();
        let nano = NANO.unsigned_abs();
        if self.format == Format::BinarySi && magnitude >= 1024 * nano && magnitude.is_multiple_of(nano) {
            let (mut n, mut power) = (magnitude / nano, 0);
            while power < BINARY_SUFFIXES.len() - 1 && n.is_multiple_of(1024) {
                n /= 1024;
                power += 1;
            }
            return write!(f, "{sign}{n}{}", BINARY_SUFFIXES[power]);
        }
        let (mut mantissa, mut exp) = (magnitude, -9i32);
        while mantissa.is_multiple_of(10) {
            mantissa /= 10;
            exp += 1;
        }
        // The exponent a multiple of three: give back the zeros just taken (no overflow).
        match exp.rem_euclid(3) {
            1 => (mantissa, exp) = (mantissa * 10, exp - 1),
            2 => (mantissa, exp) = (mantissa * 100, exp - 2),
            _ => {}
        }
        if self.format == Format::DecimalExponent {
            return if exp == 0 { write!(f, "{sign}{mantissa}") } else { write!(f, "{sign}{mantissa}e{exp}") };
        }
        // Past exa, a larger number of exa (the value fits, so its exa do).
        while exp > 18 {
            (mantissa, exp) = (mantissa * 1000, exp - 3);
        }
        let suffix = match exp {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => "",
        };
        write!(f, "{sign}{mantissa}{suffix}")
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl Add for Quantity {
    type Output = Quantity;

    /// Saturating: see [`Quantity::saturating_add`].
    fn add(self, other: Quantity) -> Quantity {
        self.saturating_add(other)
    }
}

impl AddAssign for Quantity {
    fn add_assign(&mut self, other: Quantity) {
        *self = self.saturating_add(other);
    }
}

impl Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Quantity> for Quantity {
    fn sum<I: Iterator<Item = &'a Quantity>>(iter: I) -> Quantity {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests;
