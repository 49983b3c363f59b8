//! Bounded samples of supporting event ids: evidence cites at most a few
//! events, so memory stays per key, not per event.

/// How many event ids one piece of evidence keeps.
pub const MAX_SAMPLES: usize = 10;

/// The first [`MAX_SAMPLES`] event ids seen, plus a count of all.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    ids: Vec<Box<str>>,
    /// How many events were offered (kept or not).
    pub count: u64,
}

impl Samples {
    /// Records one supporting event; keeps its id while there is room.
    pub fn push(&mut self, id: &str) {
        self.count += 1;
        // once full, pushing costs one increment: no comparisons, no allocation
        if self.ids.len() < MAX_SAMPLES && !self.ids.iter().any(|x| &**x == id) {
            self.ids.push(id.into());
        }
    }

    /// Adds another sample set's ids (bounded) and count.
    pub fn merge(&mut self, other: &Samples) {
        for id in &other.ids {
            if self.ids.len() >= MAX_SAMPLES {
                break;
            }
            if !self.ids.iter().any(|x| x == id) {
                self.ids.push(id.clone());
            }
        }
        self.count += other.count;
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The kept ids as owned strings (for [`molehunt_model::Evidence::events`]).
    pub fn to_vec(&self) -> Vec<String> {
        self.ids.iter().map(|s| s.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_counted() {
        let mut s = Samples::default();
        for i in 0..25 {
            s.push(&format!("e{i}"));
        }
        s.push("e0");
        assert_eq!(s.count, 26);
        assert_eq!(s.to_vec().len(), MAX_SAMPLES);
        assert_eq!(s.to_vec()[0], "e0");
    }
}
