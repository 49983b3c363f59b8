//! Collects records and writes them as JSON Lines: records without a time
//! first (in creation order), then timed events in ascending time order.

use molehunt_model::Record;

#[derive(Debug, Default)]
pub struct Out {
    untimed: Vec<String>,
    timed: Vec<(i64, u64, String)>,
    seq: u64,
}

impl Out {
    pub fn untimed(&mut self, r: Record) {
        if let Ok(s) = serde_json::to_string(&r) {
            self.untimed.push(s);
        }
    }

    pub fn timed(&mut self, r: Record) {
        let at = r.ts().map(|t| t.unix()).unwrap_or(i64::MIN);
        if let Ok(s) = serde_json::to_string(&r) {
            self.seq += 1;
            self.timed.push((at, self.seq, s));
        }
    }

    /// The lines, exact duplicates dropped (two identical events would be one
    /// stored event anyway: an event's identity is its content).
    pub fn into_lines(mut self) -> Vec<String> {
        self.timed.sort_by_key(|(at, seq, _)| (*at, *seq));
        let mut seen = std::collections::HashSet::new();
        let mut lines = Vec::with_capacity(self.untimed.len() + self.timed.len());
        for s in self
            .untimed
            .into_iter()
            .chain(self.timed.into_iter().map(|(_, _, s)| s))
        {
            if seen.insert(s.clone()) {
                lines.push(s);
            }
        }
        lines
    }
}
