import { behaviourSuite } from "../client/testing/behaviour_suite.ts";
import { transport } from "./mod.ts";

behaviourSuite(transport);
