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
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[rank]
}
