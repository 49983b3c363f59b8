//! HIRE-NO-VIDEO: refuses the camera, or the face on camera is inconsistent.
//!
//! Logic, per person over `interview` records:
//! - `camera_face_consistent: false` (a different face across calls): high;
//! - `video: refused` or `off` in at least `min_no_video` interviews (default 1
//!   refused, or 2 off/refused): medium;
//! - `video: glitchy` in at least `min_glitchy` interviews (default 2): low —
//!   one bad connection is ordinary, a camera that is "broken" every time is not.
//!
//! Source: P23, P25.

use molehunt_model::{Evidence, Record, Severity, Time, Video};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HireNoVideoConfig {
    pub enabled: bool,
    /// Interviews with the camera off or refused that fire (default 2; one explicit refusal always fires).
    pub min_no_video: u32,
    /// Glitchy-video interviews that fire (default 2).
    pub min_glitchy: u32,
}

impl Default for HireNoVideoConfig {
    fn default() -> Self {
        HireNoVideoConfig {
            enabled: true,
            min_no_video: 2,
            min_glitchy: 2,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    interviews: u32,
    refused: u32,
    off: u32,
    glitchy: u32,
    face_changed: u32,
    samples: Samples,
    last: Option<Time>,
}

pub struct HireNoVideo {
    cfg: HireNoVideoConfig,
    persons: IxVec<PersonState>,
}

impl HireNoVideo {
    pub fn new(cfg: HireNoVideoConfig) -> Self {
        HireNoVideo {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for HireNoVideo {
    fn id(&self) -> &'static str {
        "HIRE-NO-VIDEO"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["interview"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Interview(i) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let st = self.persons.at(p);
        st.interviews += 1;
        let mut notable = true;
        match i.video {
            Some(Video::Refused) => st.refused += 1,
            Some(Video::Off) => st.off += 1,
            Some(Video::Glitchy) => st.glitchy += 1,
            _ => notable = false,
        }
        if i.camera_face_consistent == Some(false) {
            st.face_changed += 1;
            notable = true;
        }
        if notable {
            st.samples.push(&obs.event.id);
            st.last = obs.ts;
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            let mut parts = Vec::new();
            let mut severity = None;
            if st.face_changed > 0 {
                parts.push(format!(
                    "the face on camera was inconsistent in {} interview(s)",
                    st.face_changed
                ));
                severity = Some(Severity::High);
            }
            if st.refused >= 1 || st.refused + st.off >= self.cfg.min_no_video {
                parts.push(format!(
                    "camera refused in {} and off in {} of {} interviews",
                    st.refused, st.off, st.interviews
                ));
                severity = severity.max(Some(Severity::Medium));
            }
            if st.glitchy >= self.cfg.min_glitchy {
                parts.push(format!(
                    "video \"glitchy\" in {} of {} interviews",
                    st.glitchy, st.interviews
                ));
                severity = severity.max(Some(Severity::Low));
            }
            let Some(severity) = severity else { continue };
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
                parts.join("; "),
                &st.samples,
                st.last,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn iv(m: i64, extra: &str) -> String {
        format!(
            r#"{{"type":"interview","person_id":"p1","ts":"{}"{extra}}}"#,
            t(m)
        )
    }

    #[test]
    fn refusal_and_changing_face() {
        let ev = run(
            &mut HireNoVideo::new(Default::default()),
            &plain(&[iv(0, r#","video":"refused""#)]),
        );
        assert_eq!(ev[0].severity, Severity::Medium);
        let ev = run(
            &mut HireNoVideo::new(Default::default()),
            &plain(&[iv(0, r#","video":"on","camera_face_consistent":false"#)]),
        );
        assert_eq!(ev[0].severity, Severity::High);
    }

    #[test]
    fn one_glitchy_call_or_one_camera_off_is_ordinary() {
        let items = plain(&[
            iv(0, r#","video":"glitchy""#),
            iv(100, r#","video":"on""#),
            iv(200, r#","video":"off""#),
        ]);
        assert!(run(&mut HireNoVideo::new(Default::default()), &items).is_empty());
    }
}
