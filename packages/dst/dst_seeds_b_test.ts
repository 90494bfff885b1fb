// Seeds 5001–10000 of the CI simulation run (seeds 1–5000: dst_seeds_a_test.ts).
import { seedRangeTests } from "./seed_range.ts";

seedRangeTests(5_001, 5_000);
