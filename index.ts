import { fiscoBcosProgram } from "./program";

export = fiscoBcosProgram();
