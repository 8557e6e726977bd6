//! What the benchmarks report of their samples.

use std::time::Duration;

/// The `p`-th quantile (0 … 1, nearest rank) of `samples`, which it sorts;
/// zero when there are none.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a rank from a count and a fraction"
)]
#[allow(
    dead_code,
    reason = "used by search_bench and frame_bench, not by the others"
)]
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[rank]
}

/// A duration in milliseconds.
#[allow(
    dead_code,
    reason = "used by load_bench and publish_bench, not by the others"
)]
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The middle value (the upper one of an even count); zero when empty.
#[allow(
    dead_code,
    reason = "used by load_bench and publish_bench, not by the others"
)]
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
