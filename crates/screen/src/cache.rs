//! Per-query cache of token similarities, keyed by (query unit, vocabulary id), so each
//! distinct pair is compared once per query however many candidate names share it.

use crate::align::{NONE, Sims, U, unit_sim};

/// Query units (tokens and joins) beyond this many are compared without the cache.
const ROW: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Row {
    sim: [f32; ROW],
    joins: u16,
    /// Which query units have been computed (bit per unit).
    done: u16,
    /// Which query units have probed this entry.
    visited: u16,
    /// Which query units pair with this entry (see `NameIndex::candidates`).
    pos: u16,
}

/// Dense per-thread cache; [`SimCache::reset`] starts a new query in O(1).
#[derive(Debug, Default)]
pub(crate) struct SimCache {
    generation: u32,
    stamp: Vec<u32>,
    slot: Vec<u32>,
    rows: Vec<Row>,
}

impl SimCache {
    /// Starts a new query over a vocabulary of `vocab` entries.
    pub fn reset(&mut self, vocab: usize) {
        if self.stamp.len() < vocab {
            self.stamp.resize(vocab, 0);
            self.slot.resize(vocab, 0);
        }
        self.rows.clear();
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
    }

    fn row(&mut self, id: u32) -> Option<&mut Row> {
        let v = id as usize;
        if id == NONE || v >= self.stamp.len() {
            return None;
        }
        if self.stamp[v] != self.generation {
            self.stamp[v] = self.generation;
            self.slot[v] = self.rows.len() as u32;
            self.rows.push(Row {
                sim: [0.0; ROW],
                joins: 0,
                done: 0,
                visited: 0,
                pos: 0,
            });
        }
        let s = self.slot[v] as usize;
        self.rows.get_mut(s)
    }

    /// True the first time query unit `qi` visits vocabulary entry `id` in this query.
    pub fn first_visit(&mut self, qi: usize, id: u32) -> bool {
        if qi >= ROW {
            return true;
        }
        match self.row(id) {
            Some(r) => {
                let b = 1u16 << qi;
                let first = r.visited & b == 0;
                r.visited |= b;
                first
            }
            None => true,
        }
    }
}

impl SimCache {
    /// Records that query unit `qi` pairs with vocabulary entry `id`.
    pub fn set_pos(&mut self, qi: usize, id: u32) {
        if qi < ROW
            && let Some(r) = self.row(id)
        {
            r.pos |= 1 << qi;
        }
    }

    /// The query units (bits) recorded as pairing with `id` in this query.
    pub fn pos(&self, id: u32) -> u16 {
        let v = id as usize;
        if v < self.stamp.len() && self.stamp[v] == self.generation {
            self.rows.get(self.slot[v] as usize).map_or(0, |r| r.pos)
        } else {
            0
        }
    }
}

/// Query units beyond this index are not cached.
pub(crate) const CACHED_UNITS: usize = ROW;

impl Sims for SimCache {
    fn get(&mut self, qi: usize, q: &U<'_>, c: &U<'_>) -> (f64, bool) {
        if qi >= ROW {
            return unit_sim(q, c);
        }
        let Some(r) = self.row(c.id) else {
            return unit_sim(q, c);
        };
        let b = 1u16 << qi;
        if r.done & b != 0 {
            return (f64::from(r.sim[qi]), r.joins & b != 0);
        }
        let (s, j) = unit_sim(q, c);
        r.sim[qi] = s as f32;
        r.done |= b;
        if j {
            r.joins |= b;
        }
        (f64::from(s as f32), j)
    }
}
