//! What a recheck concludes for each finding of the report: revoked, still live, gone or unknown,
//! with the reason and the provider's answer status, and the one-line summary.

use std::sync::Arc;

use serde::Serialize;

use super::locate::Absence;
use crate::pipeline::{Finding, Origin, VerificationStatus};

/// Where a listed secret stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Found again, and the provider rejects it.
    Revoked,
    /// Found again, and the provider accepts it: the rotation is not done.
    StillLive,
    /// Not at its place any more, nor anywhere else the report listed it.
    Gone,
    /// No conclusion: no verifier, a provider error or rate limit, a place that cannot be read.
    Unknown,
}

impl State {
    /// How reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Revoked => "revoked",
            State::StillLive => "still live",
            State::Gone => "gone",
            State::Unknown => "unknown",
        }
    }
}

/// One finding of the report, rechecked.
#[derive(Debug, Clone)]
pub struct Rechecked {
    /// The finding as the report listed it (its secret as the report printed it, redacted).
    pub listed: Finding,
    /// Where it stands.
    pub state: State,
    /// Why: the provider's verdict and identity, or what was missing.
    pub reason: String,
    /// The status of the provider's HTTP answer, when it was asked.
    pub http_status: Option<u16>,
}

/// What was learnt about a listed secret: the copy found again (verified), if any, and why its
/// own place may have been missed.
pub struct Evidence<'a> {
    /// The secret found again at this finding's place, verified.
    pub here: Option<&'a Finding>,
    /// The same secret found again at another place the report listed, verified.
    pub elsewhere: Option<&'a Finding>,
    /// Why the place was not read as a whole, if it was not.
    pub absence: Option<&'a Absence>,
}

/// Decides where `listed` stands from the evidence.
pub fn decide(listed: &Finding, evidence: &Evidence) -> Rechecked {
    let (state, reason, http_status) = match (evidence.here, evidence.elsewhere) {
        (Some(found), _) => verdict(found, ""),
        (None, Some(found)) => {
            let note = format!(
                "no longer here, but still at {}{}; ",
                found.origin.full_path(),
                found.origin.text_suffix()
            );
            verdict(found, &note)
        }
        (None, None) => match evidence.absence {
            Some(Absence::Gone(why)) => (State::Gone, why.clone(), None),
            Some(Absence::Unknown(why)) => (State::Unknown, why.clone(), None),
            None => (State::Gone, gone_reason(&listed.origin), None),
        },
    };
    Rechecked {
        listed: listed.clone(),
        state,
        reason,
        http_status,
    }
}

/// The state a recovered secret's verification gives, its reason prefixed with `note`.
fn verdict(found: &Finding, note: &str) -> (State, String, Option<u16>) {
    let Some(v) = &found.verification else {
        return (State::Unknown, format!("{note}not checked"), None);
    };
    let state = match v.status {
        VerificationStatus::Invalid => State::Revoked,
        VerificationStatus::Verified => State::StillLive,
        VerificationStatus::Unknown => State::Unknown,
    };
    let detail = match (state, v.detail.is_empty()) {
        (State::StillLive, true) => "the provider accepts it".to_string(),
        (State::StillLive, false) => format!("the provider accepts it ({})", v.detail),
        _ => v.detail.clone(),
    };
    (state, format!("{note}{detail}"), v.http_status)
}

/// Why a secret read again at its place was not found there.
fn gone_reason(origin: &Arc<Origin>) -> String {
    match &**origin {
        Origin::Git { commit, path, .. } => {
            format!("the blob at {commit}:{path} no longer holds the secret")
        }
        Origin::ImageLayer { .. } | Origin::ImageMetadata { .. } => {
            "the image no longer holds the secret there".into()
        }
        _ => "the file no longer holds the secret".into(),
    }
}

/// Findings per state, for the summary line and the exit status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rotated: the provider rejects them.
    pub revoked: usize,
    /// Still accepted by the provider.
    pub still_live: usize,
    /// No longer found.
    pub gone: usize,
    /// Without a conclusion.
    pub unknown: usize,
}

impl Counts {
    /// Counts the states of `rechecked`.
    pub fn of(rechecked: &[Rechecked]) -> Self {
        let mut counts = Counts::default();
        for r in rechecked {
            *match r.state {
                State::Revoked => &mut counts.revoked,
                State::StillLive => &mut counts.still_live,
                State::Gone => &mut counts.gone,
                State::Unknown => &mut counts.unknown,
            } += 1;
        }
        counts
    }

    /// `12 rotated and revoked, 1 still live, 2 gone, 2 unknown`.
    pub fn line(&self) -> String {
        format!(
            "{} rotated and revoked, {} still live, {} gone, {} unknown",
            self.revoked, self.still_live, self.gone, self.unknown
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Verification;

    /// A finding of `path` as a report lists it.
    fn listed(path: &str) -> Finding {
        let line = format!(
            r#"{{"rule_id":"github-pat-classic","rule_name":"GitHub token","severity":"high","line":1,"column":1,"end_line":1,"secret":"ghp_*****","redacted":true,"fingerprint":"fp2_0123456789abcdef0123456789abcdef","confidence":"high","origin":{{"kind":"file","path":"{path}"}},"root":"/r/"}}"#
        );
        let report = crate::report::read::read_report("r.jsonl", &line).unwrap();
        report.findings.into_iter().next().unwrap()
    }

    fn verified(path: &str, status: VerificationStatus, http: u16) -> Finding {
        let mut f = listed(path);
        f.verification = Some(Verification {
            status,
            detail: "login=octocat".into(),
            http_status: Some(http),
            access: Default::default(),
        });
        f
    }

    #[test]
    fn the_copy_found_decides_and_absence_explains_the_rest() {
        let a = listed("a.env");
        let live = verified("a.env", VerificationStatus::Verified, 200);
        let here = Evidence {
            here: Some(&live),
            elsewhere: Some(&live),
            absence: None,
        };
        let r = decide(&a, &here);
        assert_eq!((r.state, r.http_status), (State::StillLive, Some(200)));
        assert!(r.reason.contains("login=octocat"), "{}", r.reason);

        let dead = verified("b.env", VerificationStatus::Invalid, 401);
        let elsewhere = Evidence {
            here: None,
            elsewhere: Some(&dead),
            absence: Some(&Absence::Gone("the file no longer exists".into())),
        };
        let r = decide(&a, &elsewhere);
        assert_eq!(r.state, State::Revoked);
        assert!(
            r.reason
                .starts_with("no longer here, but still at /r/b.env"),
            "{}",
            r.reason
        );

        let nothing = |absence| Evidence {
            here: None,
            elsewhere: None,
            absence,
        };
        let unknown = Absence::Unknown("cannot clone".into());
        assert_eq!(decide(&a, &nothing(Some(&unknown))).state, State::Unknown);
        let r = decide(&a, &nothing(None));
        assert_eq!(
            (r.state, r.reason.as_str()),
            (State::Gone, "the file no longer holds the secret")
        );

        let all = [r.clone(), decide(&a, &here), decide(&a, &elsewhere)];
        assert_eq!(
            Counts::of(&all).line(),
            "1 rotated and revoked, 1 still live, 1 gone, 0 unknown"
        );
    }
}
