// Seeds 1–5000 of the CI simulation run (seeds 5001–10000: dst_seeds_b_test.ts).
import { seedRangeTests } from "./seed_range.ts";

seedRangeTests(1, 5_000);
