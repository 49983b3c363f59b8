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

    pub fn into_lines(mut self) -> Vec<String> {
        self.timed.sort_by_key(|(at, seq, _)| (*at, *seq));
        let mut lines = self.untimed;
        lines.extend(self.timed.into_iter().map(|(_, _, s)| s));
        lines
    }
}
