//! When a conditional sharing request must be answered: within 10 working
//! days (政务信息资源共享管理暂行办法, 第十五条), counted in China Standard
//! Time, weekends and the given public holidays skipped, the given make-up
//! working days (调休, a Saturday or Sunday worked) counted. The due time is
//! the end of the last working day. For tests and drills the whole period can
//! be given as a plain duration instead (`--answer-within 30s`).

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::jiff::civil::{Date, Weekday};
use k8s_openapi::jiff::tz::{Offset, TimeZone};
use k8s_openapi::jiff::{SignedDuration, Timestamp, ToSpan};

/// How long a provider has to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerWithin {
    /// This many working days.
    WorkingDays(u32),
    /// A plain duration (compressed time, for tests and drills).
    Duration(Duration),
}

/// The answer deadline and the calendar it counts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// How long.
    pub within: AnswerWithin,
    /// Public holidays (no work on them, even on a weekday).
    pub holidays: BTreeSet<Date>,
    /// Make-up working days (worked, even on a weekend).
    pub workdays: BTreeSet<Date>,
}

impl Default for Deadline {
    fn default() -> Self {
        Deadline { within: AnswerWithin::WorkingDays(10), holidays: BTreeSet::new(), workdays: BTreeSet::new() }
    }
}

/// A bad `--answer-within`, `--holidays` or `--workdays` value.
#[derive(Debug, thiserror::Error)]
#[error("{flag} {value:?}: {why}; {fix}")]
pub struct DeadlineError {
    flag: &'static str,
    value: String,
    why: String,
    fix: &'static str,
}

fn cst() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

impl Deadline {
    /// Parses `--answer-within` (`10wd` working days, or a duration such as
    /// `90s`, `5m`, `2h`) and the comma-separated `--holidays` and
    /// `--workdays` dates (YYYY-MM-DD).
    pub fn parse(within: &str, holidays: &str, workdays: &str) -> Result<Deadline, DeadlineError> {
        let bad = |why: String| DeadlineError {
            flag: "--answer-within",
            value: within.to_string(),
            why,
            fix: "give working days as 10wd, or a duration as 90s, 5m or 2h",
        };
        let w = within.trim();
        let within = if let Some(n) = w.strip_suffix("wd") {
            match n.parse::<u32>() {
                Ok(n) if n > 0 => AnswerWithin::WorkingDays(n),
                _ => return Err(bad("not a positive number of working days".into())),
            }
        } else {
            let (n, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
            let n: u64 = n.parse().map_err(|_| bad("no number".into()))?;
            let secs = match unit {
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                _ => return Err(bad(format!("unknown unit {unit:?}"))),
            };
            if secs == 0 {
                return Err(bad("a deadline of no time".into()));
            }
            AnswerWithin::Duration(Duration::from_secs(secs))
        };
        let dates = |flag: &'static str, list: &str| -> Result<BTreeSet<Date>, DeadlineError> {
            list.split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    d.parse::<Date>().map_err(|e| DeadlineError {
                        flag,
                        value: d.to_string(),
                        why: e.to_string(),
                        fix: "list dates as YYYY-MM-DD separated by commas",
                    })
                })
                .collect()
        };
        Ok(Deadline { within, holidays: dates("--holidays", holidays)?, workdays: dates("--workdays", workdays)? })
    }

    /// Whether `d` is a working day.
    pub fn working(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// When an answer to a request first seen at `since` is due: the end
    /// (24:00 China Standard Time) of the Nth working day after the day of
    /// `since`.
    pub fn due(&self, since: Timestamp) -> Timestamp {
        match &self.within {
            AnswerWithin::Duration(d) => {
                since.checked_add(SignedDuration::try_from(*d).unwrap_or(SignedDuration::MAX)).unwrap_or(since)
            }
            AnswerWithin::WorkingDays(n) => {
                let mut day = since.to_zoned(cst()).date();
                let mut counted = 0;
                // At most a year of days: a calendar of nothing but holidays ends there.
                for _ in 0..366 {
                    let Ok(next) = day.checked_add(1.day()) else { break };
                    day = next;
                    if self.working(day) {
                        counted += 1;
                        if counted >= *n {
                            break;
                        }
                    }
                }
                day.checked_add(1.day())
                    .ok()
                    .and_then(|end| end.to_zoned(cst()).ok())
                    .map(|z| z.timestamp())
                    .unwrap_or(since)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn ten_working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let plain = Deadline::default();
        // Friday 2026-12-04 10:00 CST: the tenth working day after is Friday 12-18.
        assert_eq!(plain.due(at("2026-12-04T02:00:00Z")), at("2026-12-18T16:00:00Z"));
        // Saturday: counting starts Monday; the tenth working day is Friday 12-18 as well.
        assert_eq!(plain.due(at("2026-12-05T02:00:00Z")), at("2026-12-18T16:00:00Z"));
        // Late on Friday UTC is already Saturday in China.
        assert_eq!(plain.due(at("2026-12-04T17:00:00Z")), at("2026-12-18T16:00:00Z"));
        // National Day week: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked.
        let golden =
            Deadline::parse("10wd", "2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07", "2026-09-27, 2026-10-10")
                .expect("calendar");
        // Friday 09-25: 09-27 (Sun, worked), 09-28, 09-29, 09-30, 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13, 10-14.
        assert_eq!(golden.due(at("2026-09-25T02:00:00Z")), at("2026-10-14T16:00:00Z"));
        assert!(!golden.working("2026-10-05".parse().expect("date")));
        assert!(golden.working("2026-10-10".parse().expect("date")));
    }

    #[test]
    fn compressed_time_and_bad_values() {
        let d = Deadline::parse("30s", "", "").expect("duration");
        assert_eq!(d.due(at("2026-12-05T00:00:00Z")), at("2026-12-05T00:00:30Z"));
        assert_eq!(Deadline::parse("2m", "", "").expect("m").within, AnswerWithin::Duration(Duration::from_secs(120)));
        for bad in ["0wd", "wd", "10d", "0s", "", "x"] {
            let e = Deadline::parse(bad, "", "").expect_err(bad).to_string();
            assert!(e.contains("--answer-within") && e.contains("10wd"), "{e}");
        }
        let e = Deadline::parse("10wd", "2026-13-01", "").expect_err("month 13").to_string();
        assert!(e.contains("--holidays") && e.contains("2026-13-01") && e.contains("YYYY-MM-DD"), "{e}");
    }
}
