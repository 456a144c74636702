//! Published numbers of Riffe & Solé Auró (2015) for the USA, 2010, used by the demo to print
//! our results beside the paper's and by the tests as reference values.

/// Table 1: deaths by cause group, (cause, female count, male count).
pub const TABLE1: [(&str, f64, f64); 8] = [
    ("Cardiovascular", 395_200.0, 383_077.0),
    ("Cancer", 369_411.0, 366_373.0),
    ("Infectious", 156_086.0, 149_139.0),
    ("External", 60_673.0, 125_733.0),
    ("Mental", 76_270.0, 41_413.0),
    ("Infant", 10_368.0, 12_119.0),
    ("Other", 167_995.0, 154_577.0),
    ("Total", 1_236_003.0, 1_232_432.0),
];

/// Table 2: (cause, [ā male, ā female, ȳ male, ȳ female, W(a) male, W(a) female,
/// W(a+y|a) male, W(a+y|a) female]).
pub const TABLE2: [(&str, [f64; 8]); 8] = [
    ("Cardiovascular", [74.4, 81.8, 16.0, 13.0, 65.1, 72.4, 78.0, 83.7]),
    ("Cancer", [72.3, 74.7, 16.4, 16.7, 63.6, 64.6, 76.4, 78.0]),
    ("Infectious", [74.2, 77.9, 14.1, 13.4, 62.5, 66.4, 75.2, 78.6]),
    ("External", [47.9, 57.1, 34.0, 29.8, 36.7, 40.3, 59.7, 63.3]),
    ("Mental", [80.0, 87.2, 10.2, 7.5, 67.7, 79.5, 78.2, 86.8]),
    ("Infant", [9.2, 10.7, 68.4, 71.7, 3.7, 4.0, 41.6, 43.7]),
    ("Other", [69.3, 75.9, 17.5, 15.3, 55.5, 60.2, 71.0, 75.2]),
    ("All", [69.9, 76.9, 16.3, 13.7, 54.4, 60.8, 69.9, 75.0]),
];

/// Period life expectancy at birth, HMD USA 2010 (male, female), as published in the HMD
/// life tables (and quoted in the paper's footnote 7 as 76.4 and 81.2).
pub const E0_2010: (f64, f64) = (76.33, 81.17);

/// The worked example of the text: 11,700 (HMD: 11,733) males died at age 50 in 2010; saved,
/// they would live about 349,000 person-years.
pub const MALE_DEATHS_50: f64 = 11_733.0;
pub const MALE_YEARS_WON_50: f64 = 349_000.0;
