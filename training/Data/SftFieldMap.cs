namespace BeyondNll.Training.Data;

/// <summary>
/// Where a data file keeps the prompt and the response of each row.
/// </summary>
/// <remarks>
/// A key may be a dotted path into nested objects, e.g. <c>extra_info.question</c>: verl's
/// parquet layout keeps the question and answer in a nested <c>extra_info</c> dict and lets its
/// <c>prompt_key</c>/<c>response_key</c> point into it. A key that itself contains a dot cannot
/// be addressed; no layout we read needs one.
/// The prompt value may also be a verl-style chat, a list of <c>{"role", "content"}</c>
/// messages; then the content of its last <c>user</c> message is the prompt (system prompts and
/// earlier turns are dropped, as the models here have no chat template to render them).
/// </remarks>
public sealed record SftFieldMap(string PromptKey = "prompt", string ResponseKey = "response")
{
    public static SftFieldMap Default { get; } = new();
}
