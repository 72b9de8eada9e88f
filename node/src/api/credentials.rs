//! The Credentials service: public standing of a credential by id, checks of
//! a disclosed claim against its salted digest, and a subject's credentials
//! and consents for those allowed to read them.

use tonic::{Request, Response, Status};
use yui_ledger::credential::{Disclosure, Standing};
use yui_ledger::state;
use yui_proto::v1 as pb;

use super::{Api, address, convert, id_arg};

/// The scope of consent that lets a party list a subject's credentials.
pub const CREDENTIALS_SCOPE: &str = "credentials";

fn credential_id(id: &str) -> Result<(), Status> {
    id_arg("credential_id", id, false)
}

/// Disclosures carry every leaf of one credential; far fewer than this.
const LEAVES_MAX: usize = 256;

#[tonic::async_trait]
impl pb::credentials_server::Credentials for Api {
    async fn get_credential(
        &self,
        req: Request<pb::GetCredentialRequest>,
    ) -> Result<Response<pb::GetCredentialResponse>, Status> {
        let id = req.into_inner().credential_id;
        credential_id(&id)?;
        let head = self.shared.head();
        let c = state::credential(&self.shared.store, &id)
            .map_err(super::internal)?
            .ok_or_else(|| Status::not_found(format!("no credential '{id}'")))?;
        Ok(Response::new(pb::GetCredentialResponse {
            standing: c.standing_at(head.time_ms).as_str().into(),
            credential: Some(convert::credential(&c)),
            height: head.height,
        }))
    }

    async fn verify_credential(
        &self,
        req: Request<pb::VerifyCredentialRequest>,
    ) -> Result<Response<pb::VerifyCredentialResponse>, Status> {
        let req = req.into_inner();
        credential_id(&req.credential_id)?;
        let head = self.shared.head();
        let c = state::credential(&self.shared.store, &req.credential_id)
            .map_err(super::internal)?
            .ok_or_else(|| Status::not_found(format!("no credential '{}'", req.credential_id)))?;
        let at = if req.at_ms == 0 {
            head.time_ms
        } else {
            req.at_ms
        };
        let standing = c.standing_at(at);
        let (claim_verified, claim_error) = match req.disclosure {
            None => (false, String::new()),
            Some(d) => {
                if d.leaves.len() > LEAVES_MAX {
                    return Err(Status::invalid_argument(format!(
                        "a disclosure carries at most {LEAVES_MAX} leaves"
                    )));
                }
                let d = Disclosure {
                    name: d.name,
                    value: d.value,
                    salt: d.salt,
                    leaves: d.leaves,
                };
                match d.verify(&c.claims_digest) {
                    Ok(()) => (true, String::new()),
                    Err(e) => (false, e),
                }
            }
        };
        Ok(Response::new(pb::VerifyCredentialResponse {
            credential: Some(convert::credential(&c)),
            standing: standing.as_str().into(),
            at_ms: at,
            valid: standing == Standing::Active,
            claim_verified,
            claim_error,
            height: head.height,
        }))
    }

    async fn list_credentials(
        &self,
        req: Request<pb::ListCredentialsRequest>,
    ) -> Result<Response<pb::ListCredentialsResponse>, Status> {
        let req = req.into_inner();
        let subject = address(&req.subject, "subject")?;
        let reader = self.reader(req.auth.as_ref(), &subject)?;
        let head = self.shared.head();
        let s = &self.shared.store;
        let consented = || -> Result<bool, Status> {
            Ok(state::read::<yui_ledger::credential::Consent, _>(
                s,
                &state::keys::consent(&subject, &reader, CREDENTIALS_SCOPE),
            )
            .map_err(super::internal)?
            .is_some_and(|c| c.is_active(head.time_ms)))
        };
        if reader != subject && !self.shared.auditors.contains(&reader) && !consented()? {
            return Err(Status::permission_denied(format!(
                "only the subject, an auditor, or a party holding the subject's active consent \
                 for '{CREDENTIALS_SCOPE}' may list these credentials"
            )));
        }
        let creds = state::credentials_of(s, &subject).map_err(super::internal)?;
        Ok(Response::new(pb::ListCredentialsResponse {
            standings: creds
                .iter()
                .map(|c| c.standing_at(head.time_ms).as_str().into())
                .collect(),
            credentials: creds.iter().map(convert::credential).collect(),
            height: head.height,
        }))
    }

    async fn list_consents(
        &self,
        req: Request<pb::ListConsentsRequest>,
    ) -> Result<Response<pb::ListConsentsResponse>, Status> {
        let req = req.into_inner();
        let subject = address(&req.subject, "subject")?;
        self.authorise(req.auth.as_ref(), &subject)?;
        let head = self.shared.head();
        Ok(Response::new(pb::ListConsentsResponse {
            consents: state::consents_of(&self.shared.store, &subject)
                .map_err(super::internal)?
                .iter()
                .map(|c| convert::consent(c, head.time_ms))
                .collect(),
            height: head.height,
        }))
    }
}
