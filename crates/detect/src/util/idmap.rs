//! A string-keyed map tuned for per-event lookups of ids (accounts, persons,
//! devices): short keys live inline in the table slot, so a lookup compares
//! bytes already in cache instead of following a pointer to a separate heap
//! string; the hash is rustc-hash's Fx.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

/// Keys up to this many bytes are stored inline.
const INLINE: usize = 22;

/// An owned key: inline when short, else on the heap. A given string always
/// takes the same form, and hashing and equality go through its bytes.
#[derive(Clone)]
enum Key {
    Inline(u8, [u8; INLINE]),
    Heap(Box<[u8]>),
}

impl Key {
    fn new(s: &str) -> Key {
        let b = s.as_bytes();
        if b.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..b.len()].copy_from_slice(b);
            Key::Inline(b.len() as u8, buf)
        } else {
            Key::Heap(b.into())
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline(n, buf) => &buf[..usize::from(*n)],
            Key::Heap(b) => b,
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // must equal `<[u8] as Hash>::hash` for lookups by `&[u8]`
        self.bytes().hash(state);
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

/// A map from id strings to `V`.
#[derive(Clone)]
pub struct IdMap<V> {
    map: FxHashMap<Key, V>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            map: FxHashMap::default(),
        }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for IdMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.map
                    .iter()
                    .map(|(k, v)| (String::from_utf8_lossy(k.bytes()), v)),
            )
            .finish()
    }
}

impl<V> IdMap<V> {
    pub fn get(&self, id: &str) -> Option<&V> {
        self.map.get(id.as_bytes())
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        self.map.get_mut(id.as_bytes())
    }

    /// Inserts or replaces the value of `id`.
    pub fn insert(&mut self, id: &str, v: V) {
        match self.map.get_mut(id.as_bytes()) {
            Some(slot) => *slot = v,
            None => {
                self.map.insert(Key::new(id), v);
            }
        }
    }

    /// The value of `id`, inserting `v` first when `id` is new.
    pub fn get_or_insert(&mut self, id: &str, v: V) -> &mut V {
        self.map.entry(Key::new(id)).or_insert(v)
    }

    /// Keeps only the values `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.map.retain(|_, v| keep(v));
    }

    /// All entries, in no particular order.
    pub fn into_entries(self) -> impl Iterator<Item = (String, V)> {
        self.map
            .into_iter()
            // keys were made from `&str`, so the bytes are UTF-8
            .map(|(k, v)| (String::from_utf8_lossy(k.bytes()).into_owned(), v))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_keys() {
        let mut m = IdMap::default();
        let long = "x".repeat(40);
        for (i, k) in ["", "a", "acct-0001", "0123456789012345678901", &long]
            .iter()
            .enumerate()
        {
            assert_eq!(m.get(k), None);
            m.insert(k, i);
            assert_eq!(m.get(k), Some(&i));
        }
        m.insert("a", 9);
        assert_eq!(m.get("a"), Some(&9));
        assert_eq!(m.get("0123456789012345678901x"), None);
        assert_eq!(m.len(), 5);
        if let Some(v) = m.get_mut(&long) {
            *v = 7;
        }
        assert_eq!(m.get(&long), Some(&7));
        *m.get_or_insert("new", 0) += 3;
        *m.get_or_insert("new", 0) += 3;
        assert_eq!(m.get("new"), Some(&6));
        m.retain(|&v| v != 4);
        assert_eq!(m.get(&long), Some(&7));
        m.insert("gone", 4);
        m.retain(|&v| v != 4);
        assert_eq!(m.get("gone"), None);
        let mut all: Vec<(String, usize)> = m.into_entries().collect();
        all.sort();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], (String::new(), 0));
        assert_eq!(all[5].0, long);
    }
}
