//! The loop around the consensus core: what a node does with the core's
//! outputs, written once for the node's engine and the simulation alike.
//!
//! The [`Driver`] holds the core of the current height. It carries out the
//! core's outputs in order through a [`Host`] (storage, network, timers, the
//! block builder, the chain), makes each `Persist` durable before anything
//! after it is sent, moves to the next height after a commit with the set of
//! that height, restarts from what was persisted, and takes decided heights
//! from block sync one at a time, each certificate checked against the set of
//! its height. The node's engine (`yui-node`, `engine.rs`) is a host over
//! RocksDB, libp2p and tokio's timers; the seeded simulation
//! (`tests/it/sim.rs`) is a host over simulated queues, so a bug in this loop
//! fails a seed.
//!
//! Like the core it reads no clock, draws no randomness and does no I/O of
//! its own.

use std::collections::VecDeque;

use ed25519_dalek::SigningKey;

use crate::core::{Core, Input, Output, Params, PersistentState, TimeoutKind};
use crate::types::{CommitCertificate, Message, ValidatorSet, Vote};

/// What the driver needs of the node around it. A method that returns an
/// error stops the driver: what follows it is not carried out.
pub trait Host {
    type Error;

    /// Makes `state` durable (written and synced) before returning: the
    /// messages that follow it may only leave once it survives a crash.
    fn persist(&mut self, state: &PersistentState) -> Result<(), Self::Error>;

    /// Sends a message this validator has just signed to every other
    /// validator.
    fn broadcast(&mut self, msg: &Message) -> Result<(), Self::Error>;

    /// Feeds `Input::Timeout { kind, height, round }` back after `duration_ms`.
    fn schedule_timeout(&mut self, kind: TimeoutKind, height: u64, round: u32, duration_ms: u64);

    /// This validator proposes at `(height, round)`: build a block and feed
    /// it back with [`Driver::built`].
    fn request_proposal(&mut self, height: u64, round: u32);

    /// Stores and executes the block the certificate decides. `Ok(false)`:
    /// the block is not here (the proposal never arrived, or the node
    /// restarted before keeping it); the driver waits for block sync to
    /// bring the height ([`Driver::synced`]).
    fn commit(&mut self, certificate: &CommitCertificate) -> Result<bool, Self::Error>;

    /// The validator set that decides `height`, from committed state: the
    /// driver asks for the height after the last committed one.
    fn validators(&self, height: u64) -> ValidatorSet;

    /// Two conflicting votes of one validator, to keep as evidence.
    fn evidence(&mut self, first: Vote, second: Vote) -> Result<(), Self::Error>;

    /// An input the core dropped, and why (untrusted input is not an error).
    fn dropped(&mut self, _reason: &str) {}
}

/// Why a block from block sync was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRefusal {
    /// Not the height this node decides next.
    NotNext { height: u64, next: u64 },
    /// The certificate does not verify against the set of its height.
    BadCertificate(String),
    /// The host could not store or execute the block.
    NotCommitted,
}

/// The core of the current height and the loop around it.
pub struct Driver {
    core: Core,
    chain_id: String,
    params: Params,
    key: Option<SigningKey>,
}

impl Driver {
    /// The driver of `height` (the one after the last committed block), with
    /// the state persisted for it if `persisted` is of that height, else a
    /// fresh one, and the set the host gives for it. Nothing happens until
    /// [`Driver::start`].
    pub fn new<H: Host>(
        host: &H,
        chain_id: String,
        params: Params,
        key: Option<SigningKey>,
        height: u64,
        persisted: Option<PersistentState>,
    ) -> Driver {
        let state = persisted
            .filter(|s| s.height == height)
            .unwrap_or_else(|| PersistentState::new(height));
        let core = Core::new(
            chain_id.clone(),
            params.clone(),
            key.clone(),
            host.validators(height),
            state,
        );
        Driver {
            core,
            chain_id,
            params,
            key,
        }
    }

    /// Starts (or resumes) the height.
    pub fn start<H: Host>(&mut self, host: &mut H) -> Result<(), H::Error> {
        let out = self.core.start();
        self.carry_out(host, out)
    }

    /// Feeds one input to the core and carries out what it says.
    pub fn handle<H: Host>(&mut self, host: &mut H, input: Input) -> Result<(), H::Error> {
        let out = self.core.handle(input);
        self.carry_out(host, out)
    }

    /// A proposal from a peer, with the host's verdict on the block it names
    /// (the host executed it, or could not), and whether the host has checked
    /// its signature against the set of its height (`Input::Proposal`).
    pub fn proposal<H: Host>(
        &mut self,
        host: &mut H,
        proposal: crate::types::Proposal,
        block_valid: bool,
        verified: bool,
    ) -> Result<(), H::Error> {
        self.handle(
            host,
            Input::Proposal {
                proposal,
                block_valid,
                verified,
            },
        )
    }

    /// The block this node built after [`Host::request_proposal`]; one for
    /// another height than the current (it took too long) is ignored.
    pub fn built<H: Host>(
        &mut self,
        host: &mut H,
        height: u64,
        round: u32,
        block_hash: crate::types::Hash,
    ) -> Result<(), H::Error> {
        if height != self.core.height() {
            return Ok(());
        }
        self.handle(
            host,
            Input::ProposalValue {
                height,
                round,
                block_hash,
            },
        )
    }

    /// This validator's messages of the current height to send again (see
    /// [`Core::rebroadcast`]); the host sends them now and then.
    pub fn rebroadcast(&self) -> Vec<Message> {
        self.core.rebroadcast()
    }

    /// A decided height from block sync. If it is the height this node
    /// decides next and its certificate verifies against that height's set,
    /// the host commits it and the driver starts the height after with a
    /// fresh core: the node's own votes of the synced height no longer
    /// matter, since the height is decided.
    pub fn synced<H: Host>(
        &mut self,
        host: &mut H,
        certificate: &CommitCertificate,
    ) -> Result<Result<(), SyncRefusal>, H::Error> {
        let next = self.core.height();
        if certificate.height != next {
            return Ok(Err(SyncRefusal::NotNext {
                height: certificate.height,
                next,
            }));
        }
        if let Err(e) = certificate.verify(&self.chain_id, &host.validators(next)) {
            return Ok(Err(SyncRefusal::BadCertificate(e.to_string())));
        }
        if !host.commit(certificate)? {
            return Ok(Err(SyncRefusal::NotCommitted));
        }
        let height = next.saturating_add(1);
        self.core = Core::new(
            self.chain_id.clone(),
            self.params.clone(),
            self.key.clone(),
            host.validators(height),
            PersistentState::new(height),
        );
        self.start(host)?;
        Ok(Ok(()))
    }

    /// The height being decided.
    pub fn height(&self) -> u64 {
        self.core.height()
    }

    /// The core of the current height, to read.
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Carries out outputs in order; a commit moves to the next height and
    /// carries out what the new core says first.
    fn carry_out<H: Host>(&mut self, host: &mut H, outputs: Vec<Output>) -> Result<(), H::Error> {
        let mut queue: VecDeque<Output> = outputs.into();
        while let Some(output) = queue.pop_front() {
            match output {
                Output::Persist(state) => host.persist(&state)?,
                Output::Broadcast(msg) => host.broadcast(&msg)?,
                Output::ScheduleTimeout {
                    kind,
                    height,
                    round,
                    duration_ms,
                } => host.schedule_timeout(kind, height, round, duration_ms),
                Output::RequestProposal { height, round } => host.request_proposal(height, round),
                Output::Commit { certificate } => {
                    // A commit is the last output of its batch; with the block
                    // missing the core stays decided until block sync.
                    if host.commit(&certificate)? {
                        let next = certificate.height.saturating_add(1);
                        let core = self.core.clone().next_height(host.validators(next));
                        self.core = core;
                        queue.extend(self.core.start());
                    }
                }
                Output::Evidence { first, second } => host.evidence(first, second)?,
                Output::Dropped { reason } => host.dropped(&reason),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;
    use crate::core::testkit::{Net, commits};
    use crate::types::VoteKind;

    /// A host that records what the driver asked, holds the blocks in
    /// `held`, and gives the same set for every height.
    struct Recorder {
        set: ValidatorSet,
        persisted: Vec<PersistentState>,
        sent: usize,
        committed: Vec<u64>,
        held: Vec<crate::types::Hash>,
    }

    impl Host for Recorder {
        type Error = ();
        fn persist(&mut self, state: &PersistentState) -> Result<(), ()> {
            self.persisted.push(state.clone());
            Ok(())
        }
        fn broadcast(&mut self, _msg: &Message) -> Result<(), ()> {
            self.sent += 1;
            Ok(())
        }
        fn schedule_timeout(&mut self, _: TimeoutKind, _: u64, _: u32, _: u64) {}
        fn request_proposal(&mut self, _: u64, _: u32) {}
        fn commit(&mut self, certificate: &CommitCertificate) -> Result<bool, ()> {
            if !self.held.contains(&certificate.block_hash) {
                return Ok(false);
            }
            self.committed.push(certificate.height);
            Ok(true)
        }
        fn validators(&self, _height: u64) -> ValidatorSet {
            self.set.clone()
        }
        fn evidence(&mut self, _: Vote, _: Vote) -> Result<(), ()> {
            Ok(())
        }
    }

    /// A certificate for height 1, from an observer's core.
    fn certificate(net: &Net, value: crate::types::Hash) -> CommitCertificate {
        let mut core = Core::new(
            net.chain_id.clone(),
            Params::default(),
            None,
            net.set.clone(),
            PersistentState::new(1),
        );
        let mut out = core.start();
        out.extend(core.handle(net.proposal_input(0, value, None, true)));
        for i in [0, 1, 2] {
            let vote = net.vote(i, VoteKind::Precommit, 0, Some(value));
            out.extend(core.handle(Input::Vote(vote)));
        }
        commits(&out).remove(0)
    }

    fn driver(net: &Net, host: &mut Recorder) -> Driver {
        let key = Some(net.keys[3].clone());
        let chain = net.chain_id.clone();
        let mut d = Driver::new(host, chain, Params::default(), key, 1, None);
        d.start(host).unwrap();
        d
    }

    fn recorder(net: &Net) -> Recorder {
        Recorder {
            set: net.set.clone(),
            persisted: Vec::new(),
            sent: 0,
            committed: Vec::new(),
            held: Vec::new(),
        }
    }

    #[test]
    fn a_persisted_state_of_another_height_is_not_resumed() {
        let net = Net::new(4);
        let host = recorder(&net);
        let mut old = PersistentState::new(1);
        old.round = 5;
        let d = Driver::new(&host, "c".into(), Params::default(), None, 2, Some(old));
        assert_eq!((d.height(), d.core().round()), (2, 0));
        let mut same = PersistentState::new(2);
        same.round = 3;
        let d = Driver::new(&host, "c".into(), Params::default(), None, 2, Some(same));
        assert_eq!(d.core().round(), 3);
    }

    #[test]
    fn a_decision_moves_on_only_once_the_block_is_committed() {
        let net = Net::new(4);
        let mut host = recorder(&net);
        let mut d = driver(&net, &mut host);
        d.proposal(&mut host, net.proposal(0, [7; 32], None), true, false)
            .unwrap();
        for i in [0, 1, 2] {
            let vote = net.vote(i, VoteKind::Precommit, 0, Some([7; 32]));
            d.handle(&mut host, Input::Vote(vote)).unwrap();
        }
        // Not held: decided, still at height 1, waiting for block sync.
        assert_eq!(d.height(), 1);
        assert!(host.committed.is_empty());
        // Block sync brings it: committed, and a fresh core at height 2
        // that persisted its start before anything else.
        host.held.push([7; 32]);
        let cert = certificate(&net, [7; 32]);
        assert_eq!(d.synced(&mut host, &cert).unwrap(), Ok(()));
        assert_eq!((host.committed.clone(), d.height()), (vec![1], 2));
        assert_eq!(host.persisted.last().unwrap().height, 2);
    }

    #[test]
    fn block_sync_takes_only_the_next_height_with_a_good_certificate() {
        let net = Net::new(4);
        let mut host = recorder(&net);
        let mut d = driver(&net, &mut host);
        host.held.push([7; 32]);
        let good = certificate(&net, [7; 32]);
        let mut later = good.clone();
        later.height = 2;
        assert_eq!(
            d.synced(&mut host, &later).unwrap(),
            Err(SyncRefusal::NotNext { height: 2, next: 1 })
        );
        let mut forged = good.clone();
        forged.block_hash = [8; 32];
        host.held.push([8; 32]);
        assert!(matches!(
            d.synced(&mut host, &forged).unwrap(),
            Err(SyncRefusal::BadCertificate(_))
        ));
        host.held.clear();
        assert_eq!(
            d.synced(&mut host, &good).unwrap(),
            Err(SyncRefusal::NotCommitted)
        );
        assert_eq!(d.height(), 1);
        host.held.push([7; 32]);
        assert_eq!(d.synced(&mut host, &good).unwrap(), Ok(()));
        assert_eq!(d.height(), 2);
    }
}
