// Port interfaces for the installations domain. Owned by the package that implements the domain;
// grown by its issue. Kept type-only so core stays free of I/O.
export {};
