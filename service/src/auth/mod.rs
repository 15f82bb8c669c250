//! Who is calling: human users (local shared token or Clerk JWTs) and agents (their own
//! tokens, found by keyed hash). No HTTP types here; `http::extract` wires it to requests.

pub mod agent_token;
pub mod clerk;

use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::store::NewUser;

/// The identity of the single user in local mode.
pub const LOCAL_USER_ID: &str = "local-auth-user";

/// Why a user token was refused (logged at debug, never sent in detail).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    Missing,
    #[error("invalid token")]
    Invalid,
    #[error("token verification failed: {0}")]
    Rejected(String),
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
}

pub enum UserAuthenticator {
    Local { token: Secret },
    Clerk(Box<clerk::ClerkVerifier>),
}

impl UserAuthenticator {
    /// Resolves a bearer token to the user it stands for.
    pub async fn authenticate(&self, bearer: &str) -> Result<NewUser, AuthError> {
        match self {
            Self::Local { token } => {
                if bool::from(bearer.as_bytes().ct_eq(token.expose().as_bytes())) {
                    Ok(NewUser {
                        clerk_user_id: LOCAL_USER_ID.to_owned(),
                        email: Some("admin@home.local".to_owned()),
                        name: Some("Local User".to_owned()),
                    })
                } else {
                    Err(AuthError::Invalid)
                }
            }
            Self::Clerk(verifier) => verifier.verify(bearer).await,
        }
    }
}
