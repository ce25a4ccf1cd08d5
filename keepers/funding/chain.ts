/** `FundingChain` over the deployed Clearinghouse and MarketRegistry (TypeChain bindings). */
import type { Provider } from "ethers";
import { IClearinghouse__factory, IMarketRegistry__factory } from "../../typechain-types/index.js";
import type { Submitter } from "../lib/submitter.js";
import type { FundingChain } from "./keeper.js";

/** `MarketStatus.SETTLED` (contracts/types/Market.sol): a delisted market has no funding. */
const SETTLED = 3n;

export class EthersFundingChain implements FundingChain {
  private readonly clearinghouse;
  private readonly registry;

  constructor(
    private readonly clearinghouseAddress: string,
    registryAddress: string,
    provider: Provider,
    private readonly submitter: Submitter,
  ) {
    this.clearinghouse = IClearinghouse__factory.connect(clearinghouseAddress, provider);
    this.registry = IMarketRegistry__factory.connect(registryAddress, provider);
  }

  async marketIds(): Promise<string[]> {
    const ids = await this.registry.marketIds();
    const configs = await Promise.all(ids.map((id) => this.registry.marketConfig(id)));
    return ids.filter((_, i) => configs[i]!.status !== SETTLED);
  }

  async simulateFund(ids: readonly string[]): Promise<void> {
    await this.submitter.simulate(this.request(ids));
  }

  async fund(ids: readonly string[]): Promise<{ hash: string; status: number; gasUsed: bigint }> {
    const receipt = await this.submitter.submit(this.request(ids));
    return { hash: receipt.hash, status: receipt.status ?? 0, gasUsed: receipt.gasUsed };
  }

  private request(ids: readonly string[]) {
    return {
      to: this.clearinghouseAddress,
      data: this.clearinghouse.interface.encodeFunctionData("fund", [[...ids]]),
    };
  }
}
