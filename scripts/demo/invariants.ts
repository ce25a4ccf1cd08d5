/**
 * The report's invariant checks, each computed from chain state at the end of the run (SPEC
 * section 10), with the figures that decide it:
 *
 * - INV-1 the vault's accounting identity (token balance ≥ Σ collateral + fees + Σ uPnL claims) and
 *   the insurance fund's token balance ≥ its ledger;
 * - INV-2 per market: long open interest == short open interest == Σ of the positions' sizes;
 * - INV-3 funding is zero-sum: what was taken from payers and not yet paid (`settledBalanceX18`) plus
 *   every position's pending funding is ≥ 0 (dust in the protocol's favour) and tiny;
 * - INV-4/7 no account with positions is left below maintenance margin after the keeper ran;
 * - INV-7 while closed, the mark stayed inside the band at every step;
 * - INV-8 the split: applied exactly once (one event, epoch 1, factor 4 in the oracle and the
 *   clearinghouse), every position ×4 in size with its cost basis unchanged; the dividend: applied
 *   exactly once, in full, through the funding index;
 * - the waterfall: all bad debt was covered (no account left with negative collateral and no positions).
 */
import { pendingFundingX18 } from "../../sdk/funding.js";
import type { ChartPoint } from "./chart.js";
import type { CorporateActionsProposal } from "./governance.js";
import type { Ledger } from "./ledger.js";
import type { LiquidationDesk } from "./liquidations.js";
import { fromX18, toX18 } from "./prices.js";
import { DIVIDEND, SPLIT } from "./timeline.js";
import type { World } from "./world.js";

const X18 = 10n ** 18n;
const APPLIED = 2n;
/** INV-3: funding dust is ≥ 0 and at most 1e-6 USD per position (rounding of one wei per settlement). */
const FUNDING_DUST_PER_POSITION_X18 = 10n ** 12n;

export interface InvariantCheck {
  id: string;
  name: string;
  pass: boolean;
  detail: string;
}

export interface PositionSnapshot {
  account: string;
  sizeX18: bigint;
  openNotionalX18: bigint;
}

/** The split market's positions (size at the market's split factor) just before / after the split. */
export interface SplitSnapshot {
  before: PositionSnapshot[];
  after?: PositionSnapshot[];
}

export async function snapshotSplit(
  world: World,
  ids: ReadonlyMap<string, string>,
  accounts: readonly string[],
): Promise<SplitSnapshot> {
  const marketId = ids.get(SPLIT.symbol)!;
  const { splitFactorX18 } = await world.contracts.oracle.priceState(marketId);
  const before: PositionSnapshot[] = [];
  for (const account of accounts) {
    const p = await world.contracts.clearinghouse.position(account, marketId);
    if (p.sizeX18 === 0n) continue;
    before.push({
      account,
      sizeX18: (p.sizeX18 * splitFactorX18) / p.splitFactorX18,
      openNotionalX18: p.openNotionalX18,
    });
  }
  return { before };
}

const usd = (x18: bigint): string =>
  fromX18(x18).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export async function checkInvariants(input: {
  world: World;
  ids: ReadonlyMap<string, string>;
  accounts: readonly string[];
  ledger: Ledger;
  proposal: CorporateActionsProposal;
  splitSnapshot: SplitSnapshot | undefined;
  liquidations: LiquidationDesk;
  chart: ReadonlyMap<string, readonly ChartPoint[]>;
  insuranceBeforeX18: bigint;
}): Promise<InvariantCheck[]> {
  return [
    await accountingIdentity(input.world),
    await openInterest(input.world, input.ids, input.accounts),
    await fundingZeroSum(input.world, input.ids, input.accounts),
    await noneBelowMaintenance(input.liquidations, input.accounts),
    closedMarkInsideBand(input.chart),
    await splitOnce(input.world, input.ids, input.ledger, input.proposal, input.splitSnapshot),
    await dividendOnce(input.world, input.ids, input.ledger, input.proposal),
    await badDebtCovered(input.world, input.liquidations, input.accounts, input.insuranceBeforeX18),
  ];
}

async function accountingIdentity(world: World): Promise<InvariantCheck> {
  const { vault, insuranceFund, usdc } = world.contracts;
  const [tokenBalanceX18, liabilitiesX18, holds] = await vault.accountingIdentity();
  const fundTokens = await usdc.balanceOf(await insuranceFund.getAddress());
  const fundLedger = await insuranceFund.ledgerBalance();
  const pass = holds && tokenBalanceX18 >= BigInt(liabilitiesX18) && fundTokens >= fundLedger;
  return {
    id: "INV-1",
    name: "vault solvency (accounting identity) and insurance fund backing",
    pass,
    detail:
      `vault tokens ${usd(tokenBalanceX18)} ≥ Σ collateral + fees + Σ uPnL ${usd(liabilitiesX18)} ` +
      `(surplus ${usd(tokenBalanceX18 - BigInt(liabilitiesX18))}); insurance tokens ${usd(fundTokens * 10n ** 12n)} ` +
      `≥ ledger ${usd(fundLedger * 10n ** 12n)}`,
  };
}

/** A position's size at the market's current split factor. */
async function sizeNow(world: World, account: string, marketId: string, factorX18: bigint) {
  const p = await world.contracts.clearinghouse.position(account, marketId);
  return { p, sizeX18: p.sizeX18 === 0n ? 0n : (p.sizeX18 * factorX18) / p.splitFactorX18 };
}

async function openInterest(
  world: World,
  ids: ReadonlyMap<string, string>,
  accounts: readonly string[],
): Promise<InvariantCheck> {
  let pass = true;
  const parts: string[] = [];
  for (const [symbol, marketId] of ids) {
    const [longX18, shortX18, factorX18] = await world.contracts.clearinghouse.openInterest(marketId);
    let sumLong = 0n;
    let sumShort = 0n;
    for (const account of accounts) {
      const { sizeX18 } = await sizeNow(world, account, marketId, factorX18);
      if (sizeX18 > 0n) sumLong += sizeX18;
      else sumShort -= sizeX18;
    }
    const ok = longX18 === shortX18 && sumLong === longX18 && sumShort === shortX18;
    pass &&= ok;
    parts.push(
      `${symbol} ${fromX18(longX18).toFixed(3)}${ok ? "" : ` ≠ ${fromX18(shortX18)} / Σ ${fromX18(sumLong)}`}`,
    );
  }
  return {
    id: "INV-2",
    name: "long OI == short OI == Σ positions, per market",
    pass,
    detail: `shares per side: ${parts.join(", ")}`,
  };
}

async function fundingZeroSum(
  world: World,
  ids: ReadonlyMap<string, string>,
  accounts: readonly string[],
): Promise<InvariantCheck> {
  const ch = world.contracts.clearinghouse;
  let pendingX18 = 0n;
  let positions = 0n;
  for (const marketId of ids.values()) {
    const { indexX18 } = await ch.fundingState(marketId);
    for (const account of accounts) {
      const p = await ch.position(account, marketId);
      if (p.sizeX18 === 0n) continue;
      positions += 1n;
      pendingX18 += pendingFundingX18(p.sizeX18, p.splitFactorX18, p.lastFundingIndexX18, indexX18);
    }
  }
  const settledX18 = await ch.settledBalanceX18();
  const dustX18 = settledX18 + pendingX18;
  const bound = positions * FUNDING_DUST_PER_POSITION_X18 + FUNDING_DUST_PER_POSITION_X18;
  return {
    id: "INV-3",
    name: "funding is zero-sum (dust only in the protocol's favour)",
    pass: dustX18 >= 0n && dustX18 <= bound,
    detail:
      `taken not yet paid ${usd(settledX18)} + pending over ${positions} positions ${usd(pendingX18)} ` +
      `= ${dustX18} wei (0 ≤ dust ≤ ${bound} wei)`,
  };
}

async function noneBelowMaintenance(liquidations: LiquidationDesk, accounts: readonly string[]) {
  const [healths, liquidatable] = await liquidations.engine.accountsHealth([...accounts]);
  const below = accounts.filter((_, i) => liquidatable[i] === true);
  const withPositions = healths.filter((h) => h.notionalX18 > 0n).length;
  return {
    id: "INV-4",
    name: "no account with positions below maintenance margin after the keeper ran",
    pass: below.length === 0,
    detail: `${withPositions} accounts with positions, ${below.length} below maintenance${below.length > 0 ? `: ${below.join(", ")}` : ""}`,
  };
}

function closedMarkInsideBand(chart: ReadonlyMap<string, readonly ChartPoint[]>): InvariantCheck {
  let samples = 0;
  let outside = 0;
  for (const points of chart.values()) {
    for (const p of points.filter((q) => q.closed)) {
      samples += 1;
      if (p.mark < p.bandLow - 1e-6 || p.mark > p.bandHigh + 1e-6) outside += 1;
    }
  }
  return {
    id: "INV-7",
    name: "while closed, the mark stays inside the band",
    pass: samples > 0 && outside === 0,
    detail: `${samples} closed-market samples, ${outside} outside the band`,
  };
}

async function splitOnce(
  world: World,
  ids: ReadonlyMap<string, string>,
  ledger: Ledger,
  proposal: CorporateActionsProposal,
  snapshot: SplitSnapshot | undefined,
): Promise<InvariantCheck> {
  const marketId = ids.get(SPLIT.symbol)!;
  const ratioX18 = (BigInt(SPLIT.numerator) * X18) / BigInt(SPLIT.denominator);
  const state = await world.contracts.oracle.priceState(marketId);
  const [, , chFactorX18] = await world.contracts.clearinghouse.openInterest(marketId);
  const action = proposal.executed
    ? await world.contracts.corporateActions.corporateAction(proposal.splitId)
    : undefined;
  const events = ledger.events.splitsApplied.filter((e) => e.symbol === SPLIT.symbol).length;
  const before = snapshot?.before ?? [];
  const after = new Map((snapshot?.after ?? []).map((p) => [p.account, p]));
  const rescaled = before.filter((p) => {
    const q = after.get(p.account);
    return (
      q !== undefined &&
      q.sizeX18 === (p.sizeX18 * BigInt(SPLIT.numerator)) / BigInt(SPLIT.denominator) &&
      q.openNotionalX18 === p.openNotionalX18
    );
  }).length;
  const pass =
    action?.status === APPLIED &&
    events === 1 &&
    state.epoch === 1n &&
    state.splitFactorX18 === ratioX18 &&
    chFactorX18 === ratioX18 &&
    before.length > 0 &&
    rescaled === before.length;
  return {
    id: "INV-8a",
    name: `${SPLIT.symbol} ${SPLIT.numerator}:${SPLIT.denominator} split applied exactly once, positions rescaled exactly`,
    pass,
    detail:
      `action #${proposal.splitId} ${action?.status === APPLIED ? "APPLIED" : "NOT APPLIED"}, ${events} SplitApplied event(s), ` +
      `oracle epoch ${state.epoch} factor ${fromX18(state.splitFactorX18)}, clearinghouse factor ${fromX18(chFactorX18)}; ` +
      `${rescaled}/${before.length} positions ×${SPLIT.numerator} with unchanged cost basis`,
  };
}

async function dividendOnce(
  world: World,
  ids: ReadonlyMap<string, string>,
  ledger: Ledger,
  proposal: CorporateActionsProposal,
): Promise<InvariantCheck> {
  const marketId = ids.get(DIVIDEND.symbol)!;
  const amountX18 = toX18(DIVIDEND.amountUsd);
  const action = proposal.executed
    ? await world.contracts.corporateActions.corporateAction(proposal.dividendId)
    : undefined;
  const state = await world.contracts.oracle.priceState(marketId);
  const funding = await world.contracts.clearinghouse.fundingState(marketId);
  const oracleEvents = ledger.events.dividendsApplied.filter((e) => e.symbol === DIVIDEND.symbol).length;
  const chEvents = ledger.events.clearinghouseDividends.filter((e) => e.symbol === DIVIDEND.symbol);
  const pass =
    action?.status === APPLIED &&
    oracleEvents === 1 &&
    chEvents.length === 1 &&
    chEvents[0]!.dividendX18 === amountX18 &&
    state.cumulativeDividendX18 === amountX18 &&
    funding.appliedDividendX18 === amountX18;
  const paid = ledger.markets.get(marketId)?.dividendsX18 ?? 0n;
  return {
    id: "INV-8b",
    name: `${DIVIDEND.symbol} dividend of ${DIVIDEND.amountUsd} USD applied exactly once through the funding index`,
    pass,
    detail:
      `action #${proposal.dividendId} ${action?.status === APPLIED ? "APPLIED" : "NOT APPLIED"}, oracle events ${oracleEvents}, ` +
      `clearinghouse events ${chEvents.length}, cumulative ${fromX18(state.cumulativeDividendX18)} = applied ${fromX18(funding.appliedDividendX18)}; ` +
      `${usd(paid)} USD moved from shorts to longs`,
  };
}

async function badDebtCovered(
  world: World,
  liquidations: LiquidationDesk,
  accounts: readonly string[],
  insuranceBeforeX18: bigint,
): Promise<InvariantCheck> {
  let negative = 0;
  for (const account of accounts) {
    const collateral = await world.contracts.vault.collateralX18(account);
    const markets = await world.contracts.clearinghouse.accountMarkets(account);
    if (collateral < 0n && markets.length === 0) negative += 1;
  }
  const s = liquidations.stats;
  const insuranceAfterX18 = (await world.contracts.insuranceFund.ledgerBalance()) * 10n ** 12n;
  const drawnX18 = insuranceBeforeX18 - insuranceAfterX18;
  return {
    id: "INV-10",
    name: "waterfall: bad debt covered by the insurance fund, which paid only that",
    pass:
      negative === 0 &&
      s.uncoveredX18 === 0n &&
      s.insuranceCoveredX18 === s.badDebtX18 &&
      drawnX18 === s.insurancePaidX18 &&
      s.insurancePaidX18 >= s.insuranceCoveredX18,
    detail:
      `bad debt ${usd(s.badDebtX18)}, covered ${usd(s.insuranceCoveredX18)}, uncovered ${usd(s.uncoveredX18)}; ` +
      `insurance fund drawn ${usd(drawnX18)} = paid for bad debt ${usd(s.insurancePaidX18)}; ` +
      `${negative} flat accounts with negative collateral`,
  };
}
