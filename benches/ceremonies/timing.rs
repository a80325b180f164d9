//! Timing loops and the printed tables. Each sample times one call; its input is prepared and
//! its output dropped outside the timed span, so only the operation itself is counted.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The operation column's width, so that every table lines up.
const NAME_WIDTH: usize = 44;

/// Median and 90th percentile of one operation.
pub struct Row {
    pub name: &'static str,
    pub median: Duration,
    pub p90: Duration,
}

/// Times `op` on a fresh `input()` each call: a warm-up of a tenth of `iterations` (at least 5),
/// then `iterations` timed calls.
pub fn measure<I, O>(
    name: &'static str,
    iterations: usize,
    mut input: impl FnMut() -> I,
    mut op: impl FnMut(I) -> O,
) -> Row {
    for _ in 0..(iterations / 10).max(5) {
        black_box(op(input()));
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let prepared = input();
        let start = Instant::now();
        let output = op(black_box(prepared));
        let elapsed = start.elapsed();
        drop(black_box(output));
        samples.push(elapsed);
    }
    samples.sort_unstable();
    let at = |fraction: f64| {
        let rank = (samples.len() as f64 * fraction).ceil() as usize;
        samples[rank.clamp(1, samples.len()) - 1]
    };
    Row {
        name,
        median: at(0.5),
        p90: at(0.9),
    }
}

/// Times `op`, which needs no prepared input.
pub fn measure_call<O>(name: &'static str, iterations: usize, mut op: impl FnMut() -> O) -> Row {
    measure(name, iterations, || (), |()| op())
}

/// Every row, in titled sections, printed as aligned tables in microseconds.
#[derive(Default)]
pub struct Report {
    sections: Vec<(&'static str, Vec<Row>)>,
}

impl Report {
    pub fn add(&mut self, title: &'static str, rows: Vec<Row>) {
        self.sections.push((title, rows));
    }

    /// The median of the row named `name`, in µs.
    pub fn median_us(&self, name: &str) -> f64 {
        let row = self
            .sections
            .iter()
            .flat_map(|(_, rows)| rows)
            .find(|r| r.name == name);
        row.unwrap_or_else(|| panic!("no row named {name}"))
            .median
            .as_secs_f64()
            * 1e6
    }

    pub fn print(&self) {
        for (title, rows) in &self.sections {
            println!("\n{title}");
            println!(
                "{:<NAME_WIDTH$}  {:>10}  {:>10}",
                "operation", "median µs", "p90 µs"
            );
            println!("{}", "-".repeat(NAME_WIDTH + 24));
            for row in rows {
                let (median, p90) = (micros(row.median), micros(row.p90));
                println!("{:<NAME_WIDTH$}  {median:>10}  {p90:>10}", row.name);
            }
        }
    }
}

/// Microseconds with two decimals below 10 µs, one above.
fn micros(duration: Duration) -> String {
    let us = duration.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.2}")
    } else {
        format!("{us:.1}")
    }
}
