
type AutomodSelectHow = "next" | "none" | "random" | "specific";
export { AutomodSelectHow };