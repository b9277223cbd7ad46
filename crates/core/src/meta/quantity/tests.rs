use super::*;
use proptest::prelude::*;

fn q(s: &str) -> Quantity {
    Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

const UNIT: i128 = 1_000_000_000;

#[test]
fn every_suffix_and_exponent_is_read_exactly() {
    let cases: &[(&str, i128)] = &[
        ("0", 0),
        ("2", 2 * UNIT),
        ("1n", 1),
        ("12345n", 12_345),
        ("3u", 3_000),
        ("250m", 250_000_000),
        ("1.5", 1_500_000_000),
        (".5", 500_000_000),
        ("5.", 5 * UNIT),
        ("+7", 7 * UNIT),
        ("-1500m", -1_500_000_000),
        ("2k", 2_000 * UNIT),
        ("3M", 3_000_000 * UNIT),
        ("4G", 4_000_000_000 * UNIT),
        ("5T", 5 * 10i128.pow(12) * UNIT),
        ("6P", 6 * 10i128.pow(15) * UNIT),
        ("7E", 7 * 10i128.pow(18) * UNIT),
        ("1Ki", 1024 * UNIT),
        ("128Mi", 128 * (1 << 20) * UNIT),
        ("1.5Gi", 1_610_612_736 * UNIT),
        ("2Ti", 2 * (1 << 40) * UNIT),
        ("3Pi", 3 * (1 << 50) * UNIT),
        ("1Ei", (1 << 60) * UNIT),
        ("0.5Ki", 512 * UNIT),
        ("1e3", 1_000 * UNIT),
        ("1E3", 1_000 * UNIT),
        ("1e+3", 1_000 * UNIT),
        ("15e-1", 1_500_000_000),
        ("1.5e-9", 2),
        (" 2Gi ", 2 * (1 << 30) * UNIT),
        ("000001", UNIT),
    ];
    for (s, nanos) in cases {
        assert_eq!(q(s).nanos(), *nanos, "{s}");
    }
}

#[test]
fn digits_past_the_nano_round_up_away_from_zero() {
    assert_eq!(q("1.5n").nanos(), 2);
    assert_eq!(q("0.1n").nanos(), 1);
    assert_eq!(q("-0.1n").nanos(), -1);
    assert_eq!(q("1e-30").nanos(), 1);
    assert_eq!(q("1e-2000000000").nanos(), 1);
    assert_eq!(q("0e-2000000000").nanos(), 0);
    assert_eq!(q("0.0000000001Ki").nanos(), 103, "102.4 n");
    assert_eq!(q("0.000000001Ki").nanos(), 1024);
    assert_eq!(q("0.1000000000000000000000000000000000000000000000001").nanos(), 100_000_001);
    assert_eq!(q("0e99999").nanos(), 0);
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
    assert_eq!(Quantity::parse("   "), Err(QuantityError::Empty));
    for s in ["1.2.3", ".", "-", "+", "--1", "+-1", "Gi", "e3", "m"] {
        assert!(matches!(Quantity::parse(s), Err(QuantityError::Number(_))), "{s}");
    }
    for s in ["5X", "1e", "1e+", "1ee3", "1 Gi", "1gi", "1KI", "1-2", "5Ｋ", "1e3.5", "1e99999999999"] {
        assert!(matches!(Quantity::parse(s), Err(QuantityError::Suffix(_))), "{s}");
    }
    for s in
        ["1e40", "1e2147483647", "170141183460469231731687303716E", "200000000000Ei", &"9".repeat(100), "1e30", "2e29"]
    {
        assert!(matches!(Quantity::parse(s), Err(QuantityError::Overflow(_))), "{s}");
    }
    assert_eq!(q("1e29").nanos(), 10i128.pow(38), "the largest power of ten that fits");
    let message = Quantity::parse("5X").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("\"5X\"") && message.contains("Ki"), "{message}");
}

#[test]
fn display_is_kubernetes_canonical_form() {
    let cases = [
        ("0", "0"),
        ("0Gi", "0"),
        ("1.5", "1500m"),
        ("1500m", "1500m"),
        ("1000m", "1"),
        ("0.1", "100m"),
        ("12345n", "12345n"),
        ("1500", "1500"),
        ("15000", "15k"),
        ("1000000", "1M"),
        ("2", "2"),
        ("-1.5", "-1500m"),
        ("1Gi", "1Gi"),
        ("1024Mi", "1Gi"),
        ("1.5Gi", "1536Mi"),
        ("1536Ki", "1536Ki"),
        ("0.5Ki", "512"),
        ("1.5Ki", "1536"),
        ("1023Ki", "1023Ki"),
        ("2048Ei", "2048Ei"),
        ("-2Gi", "-2Gi"),
        ("1e3", "1e3"),
        ("12e6", "12e6"),
        ("1e4", "10e3"),
        ("1.5e0", "1500e-3"),
        ("1E3", "1e3"),
        ("5e0", "5"),
        ("1000E", "1000E"),
        ("1e21", "1e21"),
        ("1073741824", "1073741824"),
    ];
    for (input, shown) in cases {
        assert_eq!(q(input).to_string(), shown, "{input}");
    }
    assert_eq!(Quantity::from_nanos(10i128.pow(36)).to_string(), "1000000000E");
}

#[test]
fn equality_and_order_are_by_value() {
    assert_eq!(q("1.5"), q("1500m"));
    assert_eq!(q("1Gi"), q("1073741824"));
    assert_eq!(q("1k"), q("1e3"));
    assert!(q("1Gi") > q("1G"));
    assert!(q("999m") < q("1"));
    assert!(q("-1") < Quantity::ZERO);
    let mut sorted = vec![q("2"), q("500m"), q("1Ki"), q("-3")];
    sorted.sort();
    assert_eq!(sorted, [q("-3"), q("500m"), q("2"), q("1Ki")]);
}

#[test]
fn sums_are_exact_and_keep_the_first_format() {
    let tenths: Quantity = std::iter::repeat_n(q("0.1"), 3).sum();
    assert_eq!(tenths, q("300m"), "0.1 + 0.1 + 0.1 is 0.3, exactly");
    assert_eq!(q("64Gi") + q("64Gi"), q("128Gi"));
    assert_eq!((q("64Gi") + q("64Gi")).to_string(), "128Gi");
    assert_eq!((Quantity::ZERO + q("1Gi")).to_string(), "1Gi", "zero takes the other's format");
    assert_eq!((q("1G") + q("1Gi")).format(), Format::DecimalSi);
    let mut total = Quantity::default();
    for s in ["250m", "750m", "1"] {
        total += q(s);
    }
    assert_eq!(total, q("2"));
    let refs = [q("1"), q("2")];
    assert_eq!(refs.iter().sum::<Quantity>(), q("3"));
    assert_eq!(Quantity::from_nanos(i128::MAX) + q("1"), Quantity::from_nanos(i128::MAX), "saturates");
    assert_eq!(Quantity::from_nanos(-i128::MAX) + q("-1"), Quantity::from_nanos(-i128::MAX));
}

#[test]
fn percentages_scale_exactly_and_round_up_to_the_nano() {
    assert_eq!(q("3").percent(150), q("4.5"));
    assert_eq!(q("32").percent(200), q("64"));
    assert_eq!(q("128Gi").percent(100), q("128Gi"));
    assert_eq!(q("1Gi").percent(50).to_string(), "512Mi");
    assert_eq!(q("1n").percent(33), q("1n"));
    assert_eq!(q("-1n").percent(33), q("-1n"));
    assert_eq!(q("7").percent(0), Quantity::ZERO);
    assert_eq!(Quantity::from_nanos(i128::MAX).percent(200), Quantity::from_nanos(i128::MAX));
}

#[test]
fn conversions_for_ratios_and_millis() {
    assert_eq!(q("1Gi").to_f64(), 1_073_741_824.0);
    assert_eq!(q("250m").to_f64(), 0.25);
    assert_eq!(q("-1.5").to_f64(), -1.5);
    assert_eq!(q("1.2345").round_millis(), 1235);
    assert_eq!(q("1.2344").round_millis(), 1234);
    assert_eq!(q("0.0005").round_millis(), 1);
    assert_eq!(q("-0.0005").round_millis(), -1);
    assert_eq!(q("2").round_millis(), 2000);
    assert_eq!("4Gi".parse::<Quantity>(), Ok(q("4096Mi")));
}

fn any_quantity() -> impl Strategy<Value = Quantity> {
    let format = prop_oneof![Just(Format::BinarySi), Just(Format::DecimalSi), Just(Format::DecimalExponent)];
    let nanos = prop_oneof![
        (-i128::MAX..=i128::MAX),
        // Whole binary multiples, where the binary suffixes show.
        (-(1i128 << 30)..(1i128 << 30), 0u32..7).prop_map(|(n, p)| n * (1i128 << (10 * p)) * UNIT),
        // Small values, with few digits.
        (-1_000_000i128..1_000_000, 0u32..20).prop_map(|(n, e)| n * 10i128.pow(e)),
    ];
    (nanos, format).prop_map(|(n, f)| Quantity::from_nanos(n).with_format(f))
}

proptest! {
    #[test]
    fn display_parses_back_to_the_same_value(x in any_quantity()) {
        let shown = x.to_string();
        let back = Quantity::parse(&shown);
        prop_assert_eq!(back.clone(), Ok(x), "{}", shown);
        // Read back, its canonical form stays (a binary 2000 shows as "2000",
        // read back decimal as Kubernetes reads it: "2k", and stays so).
        let again = back.map(|b| b.to_string()).unwrap_or_default();
        prop_assert_eq!(Quantity::parse(&again).map(|b| b.to_string()), Ok(again));
    }

    #[test]
    fn any_string_parses_or_errs_without_panicking(s in "[-+0-9.eEnumkKMGTPi ]{0,24}|\\PC{0,12}") {
        if let Ok(x) = Quantity::parse(&s) {
            prop_assert_eq!(Quantity::parse(&x.to_string()), Ok(x));
        }
    }
}
