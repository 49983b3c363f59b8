//! Stable network ids: a network keeps the id of the previous network it
//! overlaps most (Jaccard >= a threshold); new networks get an id derived
//! from their members at creation.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::PreviousNetwork;

/// FNV-1a 64-bit: a small, stable, dependency-free hash for ids.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `net-` + 12 hex digits of the hash of the sorted member ids.
pub fn fresh_id(members: &[String]) -> String {
    let mut sorted: Vec<&str> = members.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let joined = sorted.join("\n");
    format!("net-{:012x}", fnv1a(joined.as_bytes()) >> 16)
}

/// Ids for `groups` (each a list of person ids), reusing previous ids.
pub fn assign_ids(
    groups: &[Vec<String>],
    previous: &[PreviousNetwork],
    min_jaccard: f64,
) -> Vec<String> {
    let mut prev_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (pi, p) in previous.iter().enumerate() {
        let uniq: BTreeSet<&str> = p.person_ids.iter().map(String::as_str).collect();
        for m in uniq {
            prev_of.entry(m).or_default().push(pi);
        }
    }
    let prev_sizes: Vec<usize> = previous
        .iter()
        .map(|p| p.person_ids.iter().collect::<HashSet<_>>().len())
        .collect();
    // (jaccard, group, previous)
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let mut overlap: HashMap<usize, usize> = HashMap::new();
        let uniq: BTreeSet<&str> = g.iter().map(String::as_str).collect();
        for m in &uniq {
            for &pi in prev_of.get(m).map(Vec::as_slice).unwrap_or(&[]) {
                *overlap.entry(pi).or_default() += 1;
            }
        }
        for (pi, inter) in overlap {
            let union = uniq.len() + prev_sizes.get(pi).copied().unwrap_or(0) - inter;
            let j = inter as f64 / union.max(1) as f64;
            if j >= min_jaccard {
                candidates.push((j, gi, pi));
            }
        }
    }
    // Best overlaps first; ties broken by the ids for determinism.
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| previous[a.2].network_id.cmp(&previous[b.2].network_id))
            .then_with(|| a.1.cmp(&b.1))
    });
    let mut ids: Vec<Option<String>> = vec![None; groups.len()];
    let mut used_prev: HashSet<usize> = HashSet::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    for (_, gi, pi) in candidates {
        if ids[gi].is_some() || used_prev.contains(&pi) {
            continue;
        }
        let id = previous[pi].network_id.clone();
        if used_ids.insert(id.clone()) {
            ids[gi] = Some(id);
            used_prev.insert(pi);
        }
    }
    // Previous ids stay reserved even when their network dissolved.
    let reserved: HashSet<&str> = previous.iter().map(|p| p.network_id.as_str()).collect();
    ids.into_iter()
        .enumerate()
        .map(|(gi, id)| match id {
            Some(id) => id,
            None => {
                let base = fresh_id(&groups[gi]);
                let mut id = base.clone();
                let mut n = 2;
                while used_ids.contains(&id) || reserved.contains(id.as_str()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                used_ids.insert(id.clone());
                id
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn prev(id: &str, ids: &[&str]) -> PreviousNetwork {
        PreviousNetwork {
            network_id: id.into(),
            person_ids: g(ids),
        }
    }

    #[test]
    fn fresh_ids_are_deterministic_and_order_free() {
        assert_eq!(fresh_id(&g(&["b", "a"])), fresh_id(&g(&["a", "b"])));
        assert_ne!(fresh_id(&g(&["a", "b"])), fresh_id(&g(&["a", "c"])));
        assert!(fresh_id(&g(&["a"])).starts_with("net-"));
        assert_eq!(fresh_id(&g(&["a"])).len(), 16);
    }

    #[test]
    fn ids_survive_small_changes() {
        let old = vec![
            prev("net-farm", &["a", "b", "c", "d"]),
            prev("net-x", &["x", "y"]),
        ];
        // one member added to the farm, x/y unchanged, a new pair appears
        let groups = vec![
            g(&["a", "b", "c", "d", "e"]),
            g(&["x", "y"]),
            g(&["p", "q"]),
        ];
        let ids = assign_ids(&groups, &old, 0.5);
        assert_eq!(ids[0], "net-farm");
        assert_eq!(ids[1], "net-x");
        assert_eq!(ids[2], fresh_id(&groups[2]));
    }

    #[test]
    fn big_changes_get_new_ids_and_a_split_keeps_one() {
        let old = vec![prev("net-old", &["a", "b", "c", "d", "e", "f"])];
        // split into two halves: neither has Jaccard >= 0.5 (3/6)... exactly 0.5 keeps one
        let groups = vec![g(&["a", "b", "c"]), g(&["d", "e", "f"])];
        let ids = assign_ids(&groups, &old, 0.5);
        assert_eq!(ids.iter().filter(|i| *i == "net-old").count(), 1);
        assert_ne!(ids[0], ids[1]);
        let groups = vec![g(&["a", "z", "y", "w"])];
        let ids = assign_ids(&groups, &old, 0.5);
        assert_ne!(ids[0], "net-old");
    }

    #[test]
    fn merge_keeps_the_larger_overlap() {
        let old = vec![prev("net-1", &["a", "b", "c"]), prev("net-2", &["d", "e"])];
        let groups = vec![g(&["a", "b", "c", "d", "e"])];
        let ids = assign_ids(&groups, &old, 0.5);
        assert_eq!(ids[0], "net-1");
    }
}
