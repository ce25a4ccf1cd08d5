/**
 * Typed clients over `typechain-types/`: connect to a deployment record (`deployments/<network>.json`,
 * written by `npm run deploy:local` or `scripts/deploy-network.ts`) and get TypeChain handles for
 * every contract plus helpers for the common flows — deposit, withdraw, owner-signed (gasless)
 * withdrawal with the vault's EIP-712, order signing (`sdk/orders.ts`) and account health (the chain's
 * `accountHealth` with the SDK's margin rules from `sdk/margin.ts`). See docs/integrators.md.
 */
import {
  Contract,
  type ContractRunner,
  type Signer,
  type TransactionReceipt,
  type TypedDataDomain,
} from "ethers";
import { readFileSync } from "node:fs";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketCalendar__factory,
  MarketRegistry__factory,
  OracleAdapter__factory,
  type Clearinghouse,
  type CollateralVault,
  type InsuranceFund,
  type MarketCalendar,
  type MarketRegistry,
  type OracleAdapter,
} from "../typechain-types/index.js";
import {
  isLiquidatable,
  marginRatioX18,
  meetsInitialMargin,
  withdrawableX18,
  type AccountHealth,
} from "./margin.js";
import { accountId, orderDomain, signOrder, type Order, type TypedDataSigner } from "./orders.js";

/** The part of a deployment record (`deploy/system.ts` `DeploymentRecord`) a client needs. */
export interface SundialDeployment {
  chainId: number;
  contracts: {
    calendar: string;
    vault: string;
    insuranceFund: string;
    collateralToken: string;
    oracleAdapter: string;
    marketRegistry: string;
    clearinghouse: string;
  };
  markets: { symbol: string; marketId: string }[];
}

/** The vault's EIP-712 domain (`CollateralVault`: `EIP712("Sundial CollateralVault", "1")`). */
export const VAULT_DOMAIN_NAME = "Sundial CollateralVault";
export const VAULT_DOMAIN_VERSION = "1";

/** `Withdrawal(address owner,uint96 subaccount,uint256 amount,address to,uint256 nonce,uint256 deadline)`. */
export const WITHDRAWAL_TYPES = {
  Withdrawal: [
    { name: "owner", type: "address" },
    { name: "subaccount", type: "uint96" },
    { name: "amount", type: "uint256" },
    { name: "to", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** A signed withdrawal: `amount` in token units, paid from `(owner, subaccount)` to `to`. */
export interface Withdrawal {
  owner: string;
  subaccount: bigint;
  amount: bigint;
  to: string;
  nonce: bigint;
  deadline: bigint;
}

/** An account's health from the chain, with the SDK's margin verdicts on it. */
export interface AccountHealthView extends AccountHealth {
  collateralX18: bigint;
  /** equity / notional (X18), rounded down; `2^255 - 1` without positions (`sdk/margin.ts`). */
  marginRatioX18: bigint;
  meetsInitialMargin: boolean;
  liquidatable: boolean;
  /** What may leave the vault now: min(collateral, equity without profit − IM), ≥ 0. */
  withdrawableX18: bigint;
}

/** The minimal ERC-20 surface the client uses (the collateral token). */
export interface Erc20 {
  decimals(): Promise<bigint>;
  balanceOf(owner: string): Promise<bigint>;
  allowance(owner: string, spender: string): Promise<bigint>;
  approve(spender: string, amount: bigint): Promise<{ wait(): Promise<TransactionReceipt | null> }>;
}

const ERC20_ABI = [
  "function decimals() view returns (uint8)",
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
];

/** Reads a deployment record file. */
export function readDeployment(file: string | URL): SundialDeployment {
  const record = JSON.parse(readFileSync(file, "utf8")) as SundialDeployment;
  if (typeof record.contracts?.clearinghouse !== "string")
    throw new Error(`${String(file)} is not a deployment`);
  return record;
}

async function mined(tx: { wait(): Promise<TransactionReceipt | null> }): Promise<TransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction was dropped");
  return receipt;
}

export class SundialClient {
  readonly vault: CollateralVault;
  readonly clearinghouse: Clearinghouse;
  readonly registry: MarketRegistry;
  readonly oracle: OracleAdapter;
  readonly calendar: MarketCalendar;
  readonly insuranceFund: InsuranceFund;
  readonly collateral: Erc20;

  constructor(
    readonly deployment: SundialDeployment,
    readonly runner: ContractRunner,
  ) {
    const c = deployment.contracts;
    this.vault = CollateralVault__factory.connect(c.vault, runner);
    this.clearinghouse = Clearinghouse__factory.connect(c.clearinghouse, runner);
    this.registry = MarketRegistry__factory.connect(c.marketRegistry, runner);
    this.oracle = OracleAdapter__factory.connect(c.oracleAdapter, runner);
    this.calendar = MarketCalendar__factory.connect(c.calendar, runner);
    this.insuranceFund = InsuranceFund__factory.connect(c.insuranceFund, runner);
    this.collateral = new Contract(c.collateralToken, ERC20_ABI, runner) as unknown as Erc20;
  }

  /** A client whose transactions are sent by `signer`. */
  connect(signer: Signer): SundialClient {
    return new SundialClient(this.deployment, signer);
  }

  /** The bytes32 id of a market by symbol ("AAPL") or id string ("AAPL-USD"). */
  marketId(symbol: string): string {
    const market = this.deployment.markets.find((m) => m.symbol === symbol || m.marketId === symbol);
    if (market === undefined) throw new Error(`unknown market ${symbol}`);
    return market.marketId;
  }

  /**
   * Deposits `amount` token units into `(signer, subaccount)`, approving the vault first when the
   * allowance is short (exactly the missing amount).
   */
  async deposit(signer: Signer, subaccount: bigint, amount: bigint): Promise<TransactionReceipt> {
    const owner = await signer.getAddress();
    const token = new Contract(
      this.deployment.contracts.collateralToken,
      ERC20_ABI,
      signer,
    ) as unknown as Erc20;
    if ((await token.allowance(owner, this.deployment.contracts.vault)) < amount) {
      await mined(await token.approve(this.deployment.contracts.vault, amount));
    }
    return mined(await this.vault.connect(signer).deposit(subaccount, amount));
  }

  /** Withdraws `amount` token units from `(signer, subaccount)` to `to` (default: the signer). */
  async withdraw(
    signer: Signer,
    subaccount: bigint,
    amount: bigint,
    to?: string,
  ): Promise<TransactionReceipt> {
    const destination = to ?? (await signer.getAddress());
    return mined(await this.vault.connect(signer).withdraw(subaccount, amount, destination));
  }

  /** The vault's EIP-712 domain on this chain. */
  vaultDomain(): TypedDataDomain {
    return {
      name: VAULT_DOMAIN_NAME,
      version: VAULT_DOMAIN_VERSION,
      chainId: BigInt(this.deployment.chainId),
      verifyingContract: this.deployment.contracts.vault,
    };
  }

  /** The owner's EIP-712 signature of `request` (anyone may then relay it). */
  signWithdrawal(owner: TypedDataSigner, request: Withdrawal): Promise<string> {
    return owner.signTypedData(this.vaultDomain(), WITHDRAWAL_TYPES, { ...request });
  }

  /** Relays an owner-signed withdrawal; the relayer (this client's signer) pays the gas. */
  async relayWithdrawal(request: Withdrawal, signature: string): Promise<TransactionReceipt> {
    return mined(await this.vault.withdrawWithSignature(request, signature));
  }

  /** The clearinghouse's EIP-712 order domain on this chain. */
  orderDomain(): TypedDataDomain {
    return orderDomain(BigInt(this.deployment.chainId), this.deployment.contracts.clearinghouse);
  }

  /**
   * An order for `(owner, subaccount)` in `market`, in the oracle's current corporate-action epoch
   * (an order for another epoch never fills), signed by `signer` (the owner or its vault operator).
   */
  async signedOrder(
    signer: TypedDataSigner & { getAddress(): Promise<string> },
    order: Omit<Order, "epoch" | "signer" | "marketId"> & { market: string },
  ): Promise<{ order: Order; signature: string }> {
    const marketId = this.marketId(order.market);
    const { epoch } = await this.oracle.priceState(marketId);
    const full: Order = {
      owner: order.owner,
      subaccount: order.subaccount,
      signer: await signer.getAddress(),
      marketId,
      isBuy: order.isBuy,
      sizeX18: order.sizeX18,
      limitPriceX18: order.limitPriceX18,
      expiry: order.expiry,
      nonce: order.nonce,
      epoch,
      flags: order.flags,
    };
    return { order: full, signature: await signOrder(signer, this.orderDomain(), full) };
  }

  /** The health of `(owner, subaccount)` read from the chain, with the SDK's margin verdicts. */
  async accountHealth(owner: string, subaccount = 0n): Promise<AccountHealthView> {
    const account = accountId(owner, subaccount);
    const [h, collateralX18] = await Promise.all([
      this.clearinghouse.accountHealth(account),
      this.vault.collateralX18(account),
    ]);
    const health: AccountHealth = {
      equityX18: h.equityX18,
      equityWithoutProfitX18: h.equityWithoutProfitX18,
      initialMarginX18: h.initialMarginX18,
      maintenanceMarginX18: h.maintenanceMarginX18,
      notionalX18: h.notionalX18,
    };
    return {
      ...health,
      collateralX18,
      marginRatioX18: marginRatioX18(health),
      meetsInitialMargin: meetsInitialMargin(health),
      liquidatable: isLiquidatable(health),
      withdrawableX18: withdrawableX18(collateralX18, health),
    };
  }

  /** Positions of `(owner, subaccount)` in every market it touched. */
  async positions(owner: string, subaccount = 0n) {
    const account = accountId(owner, subaccount);
    const markets = await this.clearinghouse.accountMarkets(account);
    return Promise.all(
      markets.map(async (marketId) => {
        const p = await this.clearinghouse.position(account, marketId);
        return { marketId, sizeX18: p.sizeX18, openNotionalX18: p.openNotionalX18 };
      }),
    );
  }
}

/** A client for the deployment in `deploymentOrFile` (a record or its JSON file). */
export function connectSundial(deploymentOrFile: SundialDeployment | string | URL, runner: ContractRunner) {
  const deployment =
    typeof deploymentOrFile === "string" || deploymentOrFile instanceof URL
      ? readDeployment(deploymentOrFile)
      : deploymentOrFile;
  return new SundialClient(deployment, runner);
}
