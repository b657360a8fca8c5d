export default async function imageBuild(): Promise<{ success: boolean }> {
  return { success: false };
}
