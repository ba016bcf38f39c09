#!/bin/sh
# The first year of Synergy Stockport, as its steering group recorded it. Run it against
# a ledger started with `govledger serve` (from the repository's top folder):
#
#   sh examples/synergy/history.sh
#
# Each line is one thing the steering group did; --occurred says when it happened.
set -eu
cd "$(dirname "$0")"
export GOVLEDGER_CONSORTIUM=synergy GOVLEDGER_ACTOR=colin-mccabe@anchorpoint

# April: the consortium is formed for the council's prevention contract.
govledger form consortium.yaml --terms terms.yaml --occurred 2026-04-01

# The council asks to join, sponsored by Anchorpoint; admission needs every partner.
# Pennine Care declares an interest (it commissions jointly with the council), which
# under these terms takes it out of the vote.
govledger apply stockport-council --name "Stockport Metropolitan Borough Council" \
  --sector local-authority --contact sam-whitfield --sponsor anchorpoint --occurred 2026-04-10
govledger propose admit-council --matter admission --about stockport-council \
  --title "Admit Stockport Council" --occurred 2026-04-11 --closes 2026-04-25
govledger declare-interest admit-council pennine-care \
  --interest "commissions the service jointly with the council" --occurred 2026-04-11
govledger vote admit-council anchorpoint for --occurred 2026-04-13
govledger vote admit-council stockport-mind against --reason "wait for the budget" --occurred 2026-04-14
govledger vote admit-council all-together-positive for --occurred 2026-04-15
govledger vote admit-council stockport-mind for --occurred 2026-04-16
govledger close admit-council --occurred 2026-04-17

# May: FLAG applies, sponsored by Stockport Mind, and is not admitted.
govledger apply flag --name "For Local Advice and Guidance" --sector vcse \
  --contact amir-hassan --sponsor stockport-mind --occurred 2026-05-01
govledger propose admit-flag --matter admission --about flag --title "Admit FLAG" \
  --occurred 2026-05-02 --closes 2026-05-16
for p in anchorpoint stockport-mind pennine-care stockport-council; do
  govledger vote admit-flag $p for --occurred 2026-05-05
done
govledger vote admit-flag all-together-positive against \
  --reason "overlaps our advice service" --occurred 2026-05-06
govledger close admit-flag --occurred 2026-05-07

# The steering group meets: where should it meet? A tie, settled by the chair.
govledger record-decision venue --title "Meet at the Stockport wellbeing centre" \
  --attendance anchorpoint,stockport-mind,all-together-positive,pennine-care,stockport-council \
  --vote anchorpoint=for --vote stockport-mind=for --vote all-together-positive=against \
  --vote pennine-care=against --vote stockport-council=abstain \
  --casting-vote for --review-date 2027-05-12 --occurred 2026-05-12

# June: Stockport Mind disputes late payment of its invoices by the lead partner.
govledger dispute raise late-invoices --by stockport-mind --against anchorpoint \
  --matter "Invoices for April and May paid 60 days late" --occurred 2026-06-01
govledger dispute escalate late-invoices --occurred 2026-06-23
govledger dispute escalate late-invoices --occurred 2026-07-21
govledger dispute resolve late-invoices \
  --outcome "Invoices paid within 30 days of receipt, backdated to April" --occurred 2026-08-04

# September: All Together Positive serves notice; it is merging with Stockport Mind.
govledger serve-notice all-together-positive --reason "merging with Stockport Mind" --occurred 2026-09-01

# The shares are re-agreed without it, by unanimity, before its notice takes effect.
govledger amend-terms shares-2026 --terms terms-v2.yaml \
  --title "Re-agree risk and surplus shares" --occurred 2026-09-08 --closes 2026-09-22
for p in anchorpoint stockport-mind all-together-positive pennine-care stockport-council; do
  govledger vote shares-2026 $p for --occurred 2026-09-10
done
govledger close shares-2026 --occurred 2026-09-11
