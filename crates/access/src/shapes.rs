//! Schema checks remembered by shape. Whether a request, or an entity built for one, conforms to
//! the schema depends only on types: the principal and resource types, the action, the
//! context's type shape ([`crate::fastjson::shape`]), an entity's type, attribute names and
//! shapes and its parents' types; ids matter only for enumerated entity types, whose ids the
//! schema lists, so they are part of the shape there. A shape Cedar's own check accepted once
//! is not checked again in the same snapshot; anything else (a new shape, JSON the fast path
//! does not take) still goes through Cedar's check, with Cedar's errors.

use std::collections::HashSet;
use std::io::Write as _;
use std::str::FromStr;
use std::sync::RwLock;

use cedar_policy::{EntityTypeName, EntityUid};
use serde_json::{Map, Value};

use crate::authzen::{EvaluationRequest, Subject};
use crate::fastjson::{key, record_shape};
use crate::values::Record;

/// Most remembered shapes per snapshot before the memory starts over.
const LIMIT: usize = 4096;

thread_local! {
    /// A shape buffer kept per thread, so a decision whose shape Cedar accepted before
    /// allocates none.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty shape buffer (this thread's, when it has one).
pub(crate) fn scratch() -> Vec<u8> {
    let mut buf = SCRATCH.take();
    buf.clear();
    buf
}

/// Give a shape buffer back for the next decision on this thread (unless it grew large).
pub(crate) fn recycle(buf: Vec<u8>) {
    if buf.capacity() <= 1 << 16 {
        SCRATCH.set(buf);
    }
}

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

    /// Write the shape of a request with the context `ctx` to `out` (`false` when a context
    /// value has none).
    pub(crate) fn request_key(
        &self,
        req: &EvaluationRequest,
        principal: &EntityUid,
        resource: &EntityUid,
        ctx: &Record,
        out: &mut Vec<u8>,
    ) -> bool {
        out.push(b'R');
        key(&req.subject.kind, out);
        self.id(principal, &req.subject.id, out);
        key(&req.action.name, out);
        key(&req.resource.kind, out);
        self.id(resource, &req.resource.id, out);
        crate::values::record_shape(ctx, out)
    }

    /// Append the shape of an entity built for a request: `given`'s type (and id), the names of
    /// the stored attributes it keeps (their values were checked at load), the shapes of the
    /// request's attributes, and its parents' types (and ids, for enumerated types). `parents`
    /// may repeat a uid; each distinct type is written once, in order.
    pub(crate) fn entity_key<'a>(
        &self,
        given: &Subject,
        uid: &EntityUid,
        stored: Option<&Map<String, Value>>,
        given_attrs: &Map<String, Value>,
        parents: impl IntoIterator<Item = &'a EntityUid>,
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
        let mut parents: Vec<&EntityUid> = parents.into_iter().collect();
        parents.sort_unstable();
        parents.dedup();
        let mut last: Option<&EntityTypeName> = None;
        for p in parents {
            let t = p.type_name();
            let enumerated = self.enumerated(p);
            if last != Some(t) {
                // A type name never holds 0xFF (it is UTF-8), so it ends the name.
                out.push(b'T');
                let _ = write!(out, "{t}");
                out.push(0xFF);
                last = Some(t);
                if !enumerated {
                    out.push(0);
                }
            }
            if enumerated {
                out.push(b'#');
                key(p.id().unescaped(), out);
            }
        }
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
