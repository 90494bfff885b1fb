import { behaviourSuite } from "@kalshi-ws/client/testing";
import { transport } from "./mod.ts";

behaviourSuite(transport);
