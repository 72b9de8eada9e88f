//! What goes into the consensus core and what comes out of it.

use crate::core::state::PersistentState;
use crate::types::{CommitCertificate, Hash, Message, Proposal, Vote};

/// The three timeouts of a Tendermint round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeoutKind {
    Propose,
    Prevote,
    Precommit,
}

/// Where a validator is within the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Waiting for the proposal of the round.
    Propose,
    /// Prevoted, waiting for prevotes of two thirds.
    Prevote,
    /// Precommitted, waiting for precommits of two thirds.
    Precommit,
    /// The height is decided; the core takes no further input. The node moves
    /// to the next height with a new core (see [`crate::core::Core::next_height`]).
    Commit,
}

/// An event the node feeds to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A proposal from the network, together with the node's verdict on the
    /// full block it names: the node executes the block, and `block_valid` is
    /// false when it is invalid (bad transactions, block time out of bounds).
    /// `verified`: the node has already checked the proposal's signature
    /// against the validator set of its height (the set the core holds), as
    /// with [`Input::VerifiedVote`]; the core does not verify it again.
    Proposal {
        proposal: Proposal,
        block_valid: bool,
        verified: bool,
    },
    /// A prevote or precommit from the network.
    Vote(Vote),
    /// A vote whose signature the node has already checked against the
    /// validator set of the vote's height (the set the core holds): the core
    /// does not verify it again.
    VerifiedVote(Vote),
    /// A timeout the core asked for with [`Output::ScheduleTimeout`] has expired.
    Timeout {
        kind: TimeoutKind,
        height: u64,
        round: u32,
    },
    /// The block this node built after [`Output::RequestProposal`].
    ProposalValue {
        height: u64,
        round: u32,
        block_hash: Hash,
    },
}

/// An action the node must carry out, in the order given.
///
/// **Persist before broadcast.** A [`Output::Persist`] comes before every
/// [`Output::Broadcast`] in the same `Vec` that depends on it. The node must
/// finish writing it to durable storage (including `fsync`) before it sends
/// anything that follows it. Otherwise a crash could lose the record of a
/// signature that already left the machine, and the restarted validator could
/// sign a conflicting message at the same height, round and step.
///
/// A [`Output::Commit`] is always the last output of its `Vec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Write this to durable storage (and `fsync`) before going on. It
    /// already holds every message signed so far at this height (`sent`).
    Persist(PersistentState),
    /// Send this message to every other validator. The node's gossip should
    /// also re-send, now and then, what [`crate::core::Core::rebroadcast`]
    /// returns: Tendermint's liveness assumes that every message of a correct
    /// validator eventually reaches every correct validator.
    Broadcast(Message),
    /// Feed `Input::Timeout { kind, height, round }` back after `duration_ms`.
    ScheduleTimeout {
        kind: TimeoutKind,
        height: u64,
        round: u32,
        duration_ms: u64,
    },
    /// This node is the proposer and has no valid value: build a block and
    /// answer with [`Input::ProposalValue`].
    RequestProposal { height: u64, round: u32 },
    /// Decided. The node stores the block named by the certificate together
    /// with the certificate, executes it, and then continues at `height + 1`
    /// with [`crate::core::Core::next_height`] (or a new core).
    Commit { certificate: CommitCertificate },
    /// Two conflicting signed votes from one validator (same height, round
    /// and kind, different block hash): evidence to keep.
    Evidence { first: Vote, second: Vote },
    /// An input was dropped, and why. Untrusted input never panics the core.
    Dropped { reason: String },
}
