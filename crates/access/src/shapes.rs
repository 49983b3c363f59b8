//! Schema checks remembered by shape. Whether a request, or an entity built for one, conforms to
//! the schema depends only on types: the principal and resource types, the action, the
//! context's type shape ([`crate::fastjson::shape`]), an entity's type, attribute names and
//! shapes and its parents' types; ids matter only for enumerated entity types, whose ids the
//! schema lists, so they are part of the shape there. A shape Cedar's own check accepted once
//! is not checked again in the same snapshot; anything else (a new shape, JSON the fast path
//! does not take) still goes through Cedar's check, with Cedar's errors.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::RwLock;

use cedar_policy::{EntityTypeName, EntityUid};
use serde_json::{Map, Value};

use crate::authzen::{EvaluationRequest, Subject};
use crate::fastjson::{key, record_shape};
use crate::values::Record;

/// Most remembered shapes per snapshot before the memory starts over.
const LIMIT: usize = 4096;

pub(crate) struct ShapeMemo {
    /// The schema's enumerated entity types (`None`: unknown, every type counts as one).
    enum_types: Option<HashSet<EntityTypeName>>,
    checked: RwLock<rustc_hash::FxHashSet<Vec<u8>>>,
}

impl ShapeMemo {
    pub(crate) fn new(enum_types: Option<&[String]>) -> ShapeMemo {
        ShapeMemo {
            enum_types: enum_types.map(|names| {
                names
                    .iter()
                    .filter_map(|n| EntityTypeName::from_str(n).ok())
                    .collect()
            }),
            checked: RwLock::new(rustc_hash::FxHashSet::default()),
        }
    }

    fn enumerated(&self, uid: &EntityUid) -> bool {
        match &self.enum_types {
            Some(set) => !set.is_empty() && set.contains(uid.type_name()),
            None => true,
        }
    }

    /// The id of `uid` when its type is enumerated.
    fn id(&self, uid: &EntityUid, id: &str, out: &mut Vec<u8>) {
        if self.enumerated(uid) {
            out.push(1);
            key(id, out);
        } else {
            out.push(0);
        }
    }

    /// The shape of a request with the context `ctx` (`None` when a context value has none).
    pub(crate) fn request_key(
        &self,
        req: &EvaluationRequest,
        principal: &EntityUid,
        resource: &EntityUid,
        ctx: &Record,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(256);
        out.push(b'R');
        key(&req.subject.kind, &mut out);
        self.id(principal, &req.subject.id, &mut out);
        key(&req.action.name, &mut out);
        key(&req.resource.kind, &mut out);
        self.id(resource, &req.resource.id, &mut out);
        crate::values::record_shape(ctx, &mut out).then_some(out)
    }

    /// Append the shape of an entity built for a request: `given`'s type (and id), the names of
    /// the stored attributes it keeps (their values were checked at load), the shapes of the
    /// request's attributes, and its parents' types (and ids).
    pub(crate) fn entity_key(
        &self,
        given: &Subject,
        uid: &EntityUid,
        stored: Option<&Map<String, Value>>,
        given_attrs: &Map<String, Value>,
        parents: &HashSet<EntityUid>,
        out: &mut Vec<u8>,
    ) {
        out.push(b'<');
        key(&given.kind, out);
        self.id(uid, &given.id, out);
        out.push(if stored.is_some() { b'S' } else { b'N' });
        for k in stored.into_iter().flat_map(Map::keys) {
            if !given_attrs.contains_key(k) {
                key(k, out);
            }
        }
        out.push(b'|');
        record_shape(given_attrs, out);
        let mut types: HashMap<&EntityTypeName, Vec<&EntityUid>> = HashMap::new();
        for p in parents {
            types.entry(p.type_name()).or_default().push(p);
        }
        let mut parts: Vec<Vec<u8>> = Vec::with_capacity(parents.len());
        for (t, uids) in types {
            if uids.first().is_some_and(|u| self.enumerated(u)) {
                for u in uids {
                    let mut b = Vec::new();
                    key(&t.to_string(), &mut b);
                    self.id(u, u.id().unescaped(), &mut b);
                    parts.push(b);
                }
            } else {
                let mut b = Vec::new();
                key(&t.to_string(), &mut b);
                b.push(0);
                parts.push(b);
            }
        }
        parts.sort();
        out.extend_from_slice(&(parts.len() as u64).to_le_bytes());
        parts.iter().for_each(|b| out.extend_from_slice(b));
        out.push(b'>');
    }

    /// Whether Cedar's schema check accepted this shape before.
    pub(crate) fn checked(&self, shape: &[u8]) -> bool {
        self.checked.read().is_ok_and(|set| set.contains(shape))
    }

    /// Remember a shape Cedar's schema check accepted.
    pub(crate) fn remember(&self, shape: Vec<u8>) {
        if let Ok(mut set) = self.checked.write() {
            if set.len() >= LIMIT {
                set.clear();
            }
            set.insert(shape);
        }
    }
}
